"""Tags (with usage counts), your own categories, threaded comments and attachments on expenses."""

from __future__ import annotations

import io

from PIL import Image

from tests.factories import auth_headers, make_account
from tests.test_expenses import trio

API = "/api/v1/expenses"


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, format="PNG")
    return out.getvalue()


async def test_tags_are_made_on_use_counted_and_filterable(client, session, settings) -> None:
    (a, _b, _c), (ha, hb, _), group = await trio(client, session, settings)
    body = {"title": "Taxi", "amount": "12.00", "group_id": group["id"], "tags": ["#Trip", "work", "trip"]}
    first = await client.post(API, json=body, headers=ha)
    assert first.status_code == 201, first.text
    assert first.json()["tags"] == ["Trip", "work"]
    second = (await client.post(API, json={**body, "title": "Hotel", "tags": ["trip"]}, headers=ha)).json()
    assert second["tags"] == ["Trip"]  # the existing tag, whatever the case typed
    mine = {t["name"]: t for t in (await client.get("/api/v1/tags", headers=ha)).json()}
    assert {name: t["usage_count"] for name, t in mine.items()} == {"Trip": 2, "work": 1}
    assert (await client.get("/api/v1/tags", headers=hb)).json() == []  # tags are personal

    found = (await client.get(API, params={"tag_id": mine["work"]["id"]}, headers=ha)).json()["items"]
    assert [e["title"] for e in found] == ["Taxi"]
    await client.delete(f"{API}/{first.json()['id']}", headers=ha)
    counts = {t["name"]: t["usage_count"] for t in (await client.get("/api/v1/tags", headers=ha)).json()}
    assert counts == {"Trip": 1, "work": 0}
    await client.post(f"{API}/{first.json()['id']}/restore", headers=ha)
    retagged = await client.patch(f"{API}/{second['id']}", json={"tags": ["food"]}, headers=ha)
    assert retagged.json()["tags"] == ["food"]
    counts = {t["name"]: t["usage_count"] for t in (await client.get("/api/v1/tags", headers=ha)).json()}
    assert counts == {"Trip": 1, "work": 1, "food": 1}

    duplicate = await client.post("/api/v1/tags", json={"name": "FOOD"}, headers=ha)
    assert duplicate.status_code == 409
    renamed = await client.patch(f"/api/v1/tags/{mine['work']['id']}", json={"name": "Business"}, headers=ha)
    assert renamed.json()["name"] == "Business"
    assert (await client.get(f"{API}/{first.json()['id']}", headers=ha)).json()["tags"] == ["Business", "Trip"]
    assert (await client.delete(f"/api/v1/tags/{mine['work']['id']}", headers=hb)).status_code == 404
    assert (await client.delete(f"/api/v1/tags/{mine['work']['id']}", headers=ha)).status_code == 204
    assert (await client.get(f"{API}/{first.json()['id']}", headers=ha)).json()["tags"] == ["Trip"]
    assert (await client.post(API, json={**body, "tags": ["a,b"]}, headers=ha)).status_code == 422
    assert a.id


async def test_own_categories_sit_in_the_tree_and_deleting_moves_expenses_up(client, session, settings) -> None:
    alice, bob = await make_account(session), await make_account(session)
    ha, hb = await auth_headers(session, settings, alice), await auth_headers(session, settings, bob)
    tree = (await client.get("/api/v1/categories", headers=ha)).json()
    food = next(node for node in tree if node["slug"] == "food-dining")
    pets = await client.post("/api/v1/categories", json={"name": "Pets", "color": "#123456"}, headers=ha)
    assert pets.status_code == 201 and pets.json()["slug"] == "pets" and pets.json()["user_id"] == alice.id
    vet = (await client.post("/api/v1/categories", json={"name": "Vet bills", "parent_id": pets.json()["id"]},
                             headers=ha)).json()  # fmt: skip
    ramen = (
        await client.post("/api/v1/categories", json={"name": "Ramen", "parent_id": food["id"]}, headers=ha)
    ).json()
    tree = (await client.get("/api/v1/categories", headers=ha)).json()
    by_slug = {node["slug"]: node for node in tree}
    assert [c["slug"] for c in by_slug["pets"]["children"]] == ["vet-bills"]
    assert "ramen" in [c["slug"] for c in by_slug["food-dining"]["children"]]
    assert "pets" not in {node["slug"] for node in (await client.get("/api/v1/categories", headers=hb)).json()}
    assert (await client.post("/api/v1/categories", json={"name": "pets"}, headers=ha)).status_code == 409

    cycle = await client.patch(f"/api/v1/categories/{pets.json()['id']}", json={"parent_id": vet["id"]}, headers=ha)
    assert cycle.status_code == 422
    assert (await client.patch(f"/api/v1/categories/{food['id']}", json={"name": "x"}, headers=ha)).status_code == 404
    foreign = await client.post(API, json={"title": "Bone", "amount": "3", "category_id": vet["id"]}, headers=hb)
    assert foreign.status_code == 422

    expense = (await client.post(API, json={"title": "Checkup", "amount": "80", "category_id": vet["id"]},
                                 headers=ha)).json()  # fmt: skip
    assert (await client.delete(f"/api/v1/categories/{vet['id']}", headers=ha)).status_code == 204
    assert (await client.get(f"{API}/{expense['id']}", headers=ha)).json()["category_id"] == pets.json()["id"]
    assert ramen["parent_id"] == food["id"]


async def test_comments_thread_edit_and_delete(client, session, settings) -> None:
    (a, b, c), (ha, hb, hc), group = await trio(client, session, settings)
    expense = (await client.post(API, json={"title": "Dinner", "amount": "30", "group_id": group["id"]},
                                 headers=ha)).json()  # fmt: skip
    url = f"{API}/{expense['id']}/comments"
    first = (await client.post(url, json={"comment": "Who ordered the wine?"}, headers=ha)).json()
    reply = await client.post(url, json={"comment": "Me, sorry", "parent_id": first["id"]}, headers=hb)
    assert reply.status_code == 201
    await client.post(url, json={"comment": "Thanks!"}, headers=hc)
    thread = (await client.get(url, headers=hc)).json()
    assert [(t["comment"], [r["comment"] for r in t["replies"]]) for t in thread] == [
        ("Who ordered the wine?", ["Me, sorry"]),
        ("Thanks!", []),
    ]
    assert (await client.patch(f"{url}/{first['id']}", json={"comment": "x"}, headers=hb)).status_code == 403
    edited = (await client.patch(f"{url}/{first['id']}", json={"comment": "Who had wine?"}, headers=ha)).json()
    assert edited["is_edited"] and edited["edited_at"]

    # Deleting a comment with replies keeps its place; b's own reply is b's to delete.
    assert (await client.delete(f"{url}/{first['id']}", headers=hc)).status_code == 403
    assert (await client.delete(f"{url}/{first['id']}", headers=ha)).status_code == 204
    thread = (await client.get(url, headers=hb)).json()
    assert thread[0]["is_deleted"] and thread[0]["comment"] is None
    assert thread[0]["replies"][0]["comment"] == "Me, sorry"
    assert (await client.delete(f"{url}/{thread[0]['replies'][0]['id']}", headers=hb)).status_code == 204

    await client.put(f"/api/v1/groups/{group['id']}/members/{c.id}/role", json={"role": "viewer"}, headers=ha)
    assert (await client.post(url, json={"comment": "hi"}, headers=hc)).status_code == 403
    elsewhere = (await client.post(API, json={"title": "x", "amount": "1"}, headers=hb)).json()["id"]
    other = await client.post(
        f"{API}/{elsewhere}/comments", json={"comment": "x", "parent_id": thread[1]["id"]}, headers=hb
    )
    assert other.status_code == 422  # a reply must answer a comment on the same expense
    stranger = await auth_headers(session, settings, await make_account(session))
    assert (await client.get(url, headers=stranger)).status_code == 404
    assert (await client.post(url, json={"comment": "spam"}, headers=stranger)).status_code == 404
    assert a.id and b.id


async def test_attachments_are_sniffed_limited_and_private(client, session, settings) -> None:
    (_a, _b, _c), (ha, hb, _), group = await trio(client, session, settings)
    expense = (await client.post(API, json={"title": "Dinner", "amount": "30", "group_id": group["id"]},
                                 headers=ha)).json()  # fmt: skip
    url = f"{API}/{expense['id']}/attachments"
    image = png()
    uploaded = await client.post(url, files={"file": ("bill.txt", image, "text/plain")}, headers=ha)
    assert uploaded.status_code == 201, uploaded.text
    meta = uploaded.json()
    assert (meta["content_type"], meta["kind"], meta["size"], meta["filename"]) == (
        "image/png",
        "receipt",
        len(image),
        "bill.txt",
    )
    pdf = await client.post(url, files={"file": ("x.pdf", b"%PDF-1.7\n...", "application/pdf")},
                            data={"kind": "attachment"}, headers=hb)  # fmt: skip
    assert pdf.status_code == 201 and pdf.json()["kind"] == "attachment"
    fake = await client.post(url, files={"file": ("photo.png", b"<script>alert(1)</script>", "image/png")}, headers=ha)
    assert fake.status_code == 415 and "PDF" in fake.json()["detail"]
    settings.attachment_max_mb = 1
    big = await client.post(url, files={"file": ("big.png", image + b"\0" * (1024 * 1024), "image/png")}, headers=ha)
    assert big.status_code == 413

    listed = (await client.get(url, headers=hb)).json()
    assert [item["kind"] for item in listed] == ["receipt", "attachment"]
    download = await client.get(f"{url}/{meta['id']}", headers=hb)
    assert download.status_code == 200 and download.content == image
    assert download.headers["content-type"] == "image/png"
    assert download.headers["x-content-type-options"] == "nosniff"
    assert "attachment" in download.headers["content-disposition"]
    stranger = await auth_headers(session, settings, await make_account(session))
    assert (await client.get(f"{url}/{meta['id']}", headers=stranger)).status_code == 404
    assert (await client.post(url, files={"file": ("x.png", image, "image/png")}, headers=stranger)).status_code == 404

    stored = settings.media_dir / f"expenses/{expense['id']}"
    assert len(list(stored.iterdir())) == 2
    assert (await client.delete(f"{url}/{meta['id']}", headers=ha)).status_code == 204
    assert len(list(stored.iterdir())) == 1
    assert (await client.get(f"{url}/{meta['id']}", headers=ha)).status_code == 404


async def test_a_rejected_expense_no_longer_counts_for_its_tags(client, session, settings) -> None:
    (_a, _b, _c), (ha, hb, _), group = await trio(client, session, settings, requires_approval=True)
    waiting = (
        await client.post(
            API, json={"title": "Taxi", "amount": "9", "group_id": group["id"], "tags": ["trip"]}, headers=hb
        )
    ).json()
    assert [t["usage_count"] for t in (await client.get("/api/v1/tags", headers=hb)).json()] == [1]
    assert (await client.post(f"{API}/{waiting['id']}/reject", headers=ha)).status_code == 200
    assert [t["usage_count"] for t in (await client.get("/api/v1/tags", headers=hb)).json()] == [0]
