"""E-mail invitations to groups: one-time tokens that expire, accepted by the invited address only;
blocked people are neither e-mailed nor let in by invite code."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.models import GroupInvitation, UserFriendship
from app.models.enums import FriendshipStatus
from app.services.notifications.email import DELIVER_EMAIL_JOB
from tests.conftest import queued_jobs
from tests.factories import auth_headers, make_account
from tests.test_expenses import trio

API = "/api/v1/groups"


async def invitation_emails(app) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Recipient -> the token in the e-mail queued for them."""
    found = {}
    for job in await queued_jobs(app):
        if job.function == DELIVER_EMAIL_JOB and "invited you" in job.args[2]:
            found[job.args[1]] = re.search(r"code in the app: (\S+)", job.args[3]).group(1)
    return found


async def test_invite_accept_and_expiry(app, client, session, settings) -> None:
    (a, _b, c), (ha, hb, hc), group = await trio(client, session, settings)
    gid = group["id"]
    await client.put(f"{API}/{gid}/members/{c.id}/role", json={"role": "viewer"}, headers=ha)
    assert (
        await client.post(f"{API}/{gid}/invitations", json={"email": "x@example.org"}, headers=hc)
    ).status_code == 403

    sent = await client.post(
        f"{API}/{gid}/invitations", json={"email": "New@Example.org", "message": "Join!"}, headers=hb
    )
    assert sent.status_code == 201, sent.text
    assert sent.json()["email"] == "new@example.org"
    again = await client.post(f"{API}/{gid}/invitations", json={"email": "new@example.org"}, headers=ha)
    assert again.status_code == 409
    token = (await invitation_emails(app))["new@example.org"]
    stored = await session.scalar(select(GroupInvitation))
    assert stored is not None and token not in (stored.token_hash or "")

    assert (await client.get(f"{API}/{gid}/invitations", headers=hb)).status_code == 403  # admins list them
    assert [i["email"] for i in (await client.get(f"{API}/{gid}/invitations", headers=ha)).json()] == [
        "new@example.org"
    ]

    # Someone else cannot use the link; the invited address can, once.
    wrong = await auth_headers(session, settings, await make_account(session))
    refused = await client.post(f"{API}/invitations/accept", json={"token": token}, headers=wrong)
    assert refused.status_code == 403 and "another e-mail" in refused.json()["detail"]
    newcomer = await make_account(session, email="new@example.org")
    hn = await auth_headers(session, settings, newcomer)
    joined = await client.post(f"{API}/invitations/accept", json={"token": token}, headers=hn)
    assert joined.status_code == 200, joined.text
    assert joined.json()["my_role"] == "member" and joined.json()["member_count"] == 4
    assert (await client.post(f"{API}/invitations/accept", json={"token": token}, headers=hn)).status_code == 400
    assert (
        await client.post(f"{API}/{gid}/invitations", json={"email": "new@example.org"}, headers=ha)
    ).status_code == 409

    # Expired and revoked invitations do not work.
    late = (await client.post(f"{API}/{gid}/invitations", json={"email": "late@example.org"}, headers=ha)).json()
    row = await session.get(GroupInvitation, late["id"])
    row.expires_at = datetime.now(UTC) - timedelta(minutes=1)
    await session.flush()
    late_user = await make_account(session, email="late@example.org")
    late_token = (await invitation_emails(app))["late@example.org"]
    expired = await client.post(f"{API}/invitations/accept", json={"token": late_token},
                                headers=await auth_headers(session, settings, late_user))  # fmt: skip
    assert expired.status_code == 400 and "expired" in expired.json()["detail"]
    gone = (await client.post(f"{API}/{gid}/invitations", json={"email": "gone@example.org"}, headers=hb)).json()
    assert (await client.delete(f"{API}/{gid}/invitations/{gone['id']}", headers=hb)).status_code == 204
    assert [i["email"] for i in (await client.get(f"{API}/{gid}/invitations", headers=ha)).json()] == []
    assert a.id


async def test_blocked_people_are_not_emailed_or_let_in(app, client, session, settings) -> None:
    (a, _b, _c), (ha, _, _), group = await trio(client, session, settings)
    mallory = await make_account(session, email="mallory@example.org")
    session.add(UserFriendship(from_user_id=a.id, to_user_id=mallory.id, status=FriendshipStatus.BLOCKED))
    await session.flush()
    await app.state.redis.flushdb()
    answer = await client.post(f"{API}/{group['id']}/invitations", json={"email": "mallory@example.org"}, headers=ha)
    assert answer.status_code == 201  # the same answer as for anyone
    assert await invitation_emails(app) == {}
    hm = await auth_headers(session, settings, mallory)
    by_code = await client.post(f"{API}/join", json={"invite_code": group["invite_code"]}, headers=hm)
    assert by_code.status_code == 404


async def test_someone_with_an_account_is_also_told_in_the_app(app, client, session, settings) -> None:
    (a, _b, _c), (ha, _hb, _hc), group = await trio(client, session, settings)
    member = await make_account(session, email="pat@example.org")
    sent = await client.post(f"{API}/{group['id']}/invitations", json={"email": "pat@example.org"}, headers=ha)
    assert sent.status_code == 201
    told = (await client.get("/api/v1/notifications", headers=await auth_headers(session, settings, member))).json()
    assert [n["title"] for n in told["items"]] == [f"{a.username} invited you to {group['name']}"]
    token = (await invitation_emails(app))["pat@example.org"]
    assert token not in str(told)  # the code only goes by e-mail
