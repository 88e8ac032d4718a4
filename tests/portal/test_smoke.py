def test_home_page_needs_no_sign_in(client, db):
    from portal import demo

    demo.seed()
    response = client.get("/")
    assert response.status_code == 200
    assert b"Family support" in response.content


def test_parent_sees_own_family_on_dashboard(client, parent, family):
    client.force_login(parent)
    response = client.get("/dashboard/")
    assert response.status_code == 200
    assert family.display_name.encode() in response.content
