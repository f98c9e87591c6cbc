from tests.factories import TEST_PASSWORD, auth_headers, make_account


async def test_smoke(client, session, settings):
    user = await make_account(session)
    r = await client.post("/api/v1/auth/login", json={"login": user.username, "password": TEST_PASSWORD})
    assert r.status_code == 200, r.text
    h = {"Authorization": "Bearer " + r.json()["access_token"]}
    r = await client.get("/api/v1/users/me", headers=h)
    assert r.status_code == 200, r.text
    print(r.json())
    h2 = await auth_headers(session, settings, user)
    r = await client.get("/api/v1/users/me", headers=h2)
    assert r.status_code == 200, r.text
    r = await client.post("/api/v1/auth/register", json={"email": "New@Example.com", "username": "newbie", "password": "averylongpassword"})
    assert r.status_code == 201, r.text
    print(r.json())
