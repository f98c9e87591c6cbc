"""Profiles, visibility, search, avatars, devices and preferences."""

from __future__ import annotations

import io

from PIL import Image

from app.models import UserFriendship
from app.models.enums import FriendshipStatus
from tests.factories import auth_headers, make_account

API = "/api/v1"


def png(width: int = 64, height: int = 48) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


async def befriend(session, a, b) -> None:  # type: ignore[no-untyped-def]
    session.add(UserFriendship(from_user_id=a.id, to_user_id=b.id, status=FriendshipStatus.ACCEPTED))
    await session.flush()


async def test_me_patch_changes_only_what_is_sent(client, session, settings) -> None:
    user = await make_account(session, first_name="Grace")
    headers = await auth_headers(session, settings, user)
    patch = {
        "last_name": "Hopper",
        "timezone": "America/New_York",
        "preferred_currency": "eur",
        "profile_visibility": "public",
        "profile": {"occupation": "Rear admiral", "website": "https://example.org", "social_links": {}},
    }
    response = await client.patch(f"{API}/users/me", json=patch, headers=headers)
    assert response.status_code == 200, response.text
    me = response.json()
    assert (me["first_name"], me["last_name"], me["preferred_currency"]) == ("Grace", "Hopper", "EUR")
    assert me["profile"]["occupation"] == "Rear admiral" and me["profile"]["website"] == "https://example.org/"
    for zone in ("Nowhere/Land", "", "   "):  # an empty zone once got through, and every dated page failed
        bad = await client.patch(f"{API}/users/me", json={"timezone": zone}, headers=headers)
        assert bad.status_code == 422 and "IANA" in bad.json()["detail"]
    assert (await client.get(f"{API}/users/me", headers=headers)).json()["timezone"] == "America/New_York"
    future = await client.patch(f"{API}/users/me", json={"date_of_birth": "2999-01-01"}, headers=headers)
    assert future.status_code == 422 and "in the past" in future.json()["detail"]
    unknown_field = await client.patch(f"{API}/users/me", json={"role": "admin"}, headers=headers)
    assert unknown_field.status_code == 422


async def test_preferences(client, session, settings) -> None:
    user = await make_account(session)
    headers = await auth_headers(session, settings, user)
    got = (await client.get(f"{API}/users/me/preferences", headers=headers)).json()
    assert got["quick_add_mode"] == "normal" and got["date_format"] == "YYYY-MM-DD"
    patched = await client.patch(
        f"{API}/users/me/preferences", json={"theme": "dark", "date_format": "DD/MM/YYYY"}, headers=headers
    )
    assert patched.json()["theme"] == "dark" and patched.json()["date_format"] == "DD/MM/YYYY"
    wrong = await client.patch(f"{API}/users/me/preferences", json={"theme": "neon"}, headers=headers)
    assert wrong.status_code == 422
    stranger_group = await client.patch(
        f"{API}/users/me/preferences",
        json={"default_group_id": "00000000-0000-4000-8000-000000000000"},
        headers=headers,
    )
    assert stranger_group.status_code == 422 and "group you belong to" in stranger_group.json()["detail"]


async def test_profile_visibility(client, session, settings) -> None:
    me = await make_account(session)
    public = await make_account(session, profile_visibility="public", bio="hello")
    friends_only = await make_account(session, profile_visibility="friends", bio="friends only")
    private = await make_account(session, profile_visibility="private")
    friend = await make_account(session, profile_visibility="friends", bio="my friend")
    await befriend(session, me, friend)
    headers = await auth_headers(session, settings, me)

    seen = await client.get(f"{API}/users/{public.id}", headers=headers)
    assert seen.status_code == 200 and seen.json()["bio"] == "hello" and seen.json()["profile"] is not None
    for hidden in (friends_only.id, private.id, 999_999_999):
        response = await client.get(f"{API}/users/{hidden}", headers=headers)
        assert response.status_code == 404 and response.json()["detail"] == "No such user."
    mine = (await client.get(f"{API}/users/{friend.id}", headers=headers)).json()
    assert mine["bio"] == "my friend" and mine["friendship_status"] == "accepted"


async def test_search_obeys_visibility(client, session, settings) -> None:
    me = await make_account(session)
    tag = me.username[-6:]
    public = await make_account(session, username=f"pub_{tag}", first_name="Zed", profile_visibility="public")
    friends_only = await make_account(session, username=f"fri_{tag}", profile_visibility="friends")
    await make_account(session, username=f"pri_{tag}", profile_visibility="private")
    friend = await make_account(session, username=f"pal_{tag}", profile_visibility="friends")
    await befriend(session, friend, me)
    headers = await auth_headers(session, settings, me)

    found = (await client.get(f"{API}/users/search", params={"q": tag}, headers=headers)).json()
    assert {row["username"] for row in found} == {public.username, friend.username}
    exact = (await client.get(f"{API}/users/search", params={"q": friends_only.email}, headers=headers)).json()
    assert exact == [
        {
            "id": friends_only.id,
            "username": friends_only.username,
            "first_name": None,
            "last_name": None,
            "avatar_url": None,
            "friendship_status": None,
        }
    ]
    private_exact = (await client.get(f"{API}/users/search", params={"q": f"pri_{tag}"}, headers=headers)).json()
    assert private_exact == []
    short = await client.get(f"{API}/users/search", params={"q": "a"}, headers=headers)
    assert short.status_code == 422


async def test_avatar_upload_is_checked_and_served(client, session, settings) -> None:
    user = await make_account(session, profile_visibility="private")
    user_id = user.id
    viewer = await make_account(session)
    headers = await auth_headers(session, settings, user)
    other = await auth_headers(session, settings, viewer)

    uploaded = await client.put(
        f"{API}/users/me/avatar", files={"file": ("me.txt", png(2000, 1000), "text/plain")}, headers=headers
    )
    assert uploaded.status_code == 200, uploaded.text
    url = uploaded.json()["avatar_url"]
    picture = await client.get(url, headers=headers)
    assert picture.status_code == 200 and picture.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(picture.content)).size == (512, 256)  # scaled down, re-encoded
    assert (await client.get(url, headers=other)).status_code == 404  # a private profile's picture

    not_image = await client.put(
        f"{API}/users/me/avatar", files={"file": ("x.png", b"%PDF-1.4 not an image", "image/png")}, headers=headers
    )
    assert not_image.status_code == 415 and "not an image" in not_image.json()["detail"]
    settings.avatar_max_mb = 1
    too_big = await client.put(
        f"{API}/users/me/avatar", files={"file": ("big.png", b"\0" * (2 * 1024 * 1024), "image/png")}, headers=headers
    )
    assert too_big.status_code == 413
    stored = list((settings.media_dir / "avatars" / str(user_id)).iterdir())
    assert len(stored) == 1
    assert (await client.delete(f"{API}/users/me/avatar", headers=headers)).status_code == 204
    assert list((settings.media_dir / "avatars" / str(user_id)).iterdir()) == []


async def test_devices(client, session, settings) -> None:
    user = await make_account(session)
    other = await make_account(session)
    headers = await auth_headers(session, settings, user)
    other_headers = await auth_headers(session, settings, other)
    device = {"device_token": "fcm-token-abcdef-123", "device_type": "android", "device_name": "Pixel"}
    first = await client.post(f"{API}/users/me/devices", json=device, headers=headers)
    assert first.status_code == 201 and "device_token" not in first.json()
    again = await client.post(f"{API}/users/me/devices", json=device, headers=headers)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    # The same install signs in to another account: the token moves.
    moved = await client.post(f"{API}/users/me/devices", json=device, headers=other_headers)
    assert moved.json()["id"] == first.json()["id"]
    assert (await client.get(f"{API}/users/me/devices", headers=headers)).json() == []
    gone = await client.delete(f"{API}/users/me/devices/{first.json()['id']}", headers=headers)
    assert gone.status_code == 404
    assert (
        await client.delete(f"{API}/users/me/devices/{first.json()['id']}", headers=other_headers)
    ).status_code == 204
    bad = await client.post(f"{API}/users/me/devices", json={**device, "device_type": "fax"}, headers=headers)
    assert bad.status_code == 422
