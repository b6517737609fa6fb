"""The foundation's journey: log in, switch language, find a person by pinyin initials, reveal a number
with a reason, export a list and open the workbook."""

from openpyxl import load_workbook

from tests.e2e.conftest import login
from waishi.core.models import AuditLog
from waishi.core.testing.factories import PersonFactory
from waishi.directory.models import Organization


def test_login_language_search_reveal_export(page, shot):
    office = Organization.objects.get(code="jdz-fao")
    PersonFactory(organization=office, name="张三", position="翻译", id_number="36020019900101001X")

    page.goto(page.base_url + "/")
    assert "/login/" in page.url  # anonymous users are sent to the login page
    assert "用户名" in page.content()  # Chinese although the browser asks for English
    shot(page, "01-login")
    login(page, "staff")
    assert "我的待办" in page.content()
    shot(page, "02-home-zh")

    page.click("text=周敏")
    with page.expect_navigation():
        page.click("button[value=en]")
    assert "My work queue" in page.content()
    shot(page, "03-home-en")
    page.click("text=周敏")
    with page.expect_navigation():
        page.click("button[value=zh-hans]")
    assert "我的待办" in page.content()

    page.fill("nav input[name=q]", "zs")
    page.press("nav input[name=q]", "Enter")
    page.wait_for_url("**/search/?q=zs")
    assert page.locator("a.list-group-item", has_text="张三").count() == 1
    shot(page, "04-search-initials")

    page.locator("a.list-group-item", has_text="张三").click()
    assert "360***********001X" in page.content()
    page.fill("input[name=reason]", "核对出访人员身份")
    page.click("form[hx-post] button")
    page.wait_for_selector("strong.sensitive")
    assert page.inner_text("strong.sensitive") == "36020019900101001X"
    assert AuditLog.objects.filter(action="personal_data.reveal", username="staff").count() == 1
    shot(page, "05-person-revealed")

    page.goto(page.base_url + "/directory/people/?q=zhang")
    shot(page, "06-people-filtered")
    with page.expect_download() as download_info:
        page.click("#export-link")
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    with open(download.path(), "rb") as file:
        workbook = load_workbook(file, read_only=True)
        rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "姓名"
    names = [row[0] for row in rows[1:]]
    assert "张三" in names
    assert all(
        name.startswith("张") or "zhang" in str(row[1]) for name, row in zip(names, rows[1:], strict=True)
    )
    assert "36020019900101001X" not in str(rows)  # exports carry masked numbers only


def test_dashboard_numbers_link_to_their_records(page, shot):
    from tests.e2e.conftest import login as sign_in

    sign_in(page, "director")
    office = Organization.objects.get(code="jdz-fao")
    page.goto(page.base_url + f"/stats/?office={office.pk}&start=2023-01-01&end=2023-11-30")
    page.wait_for_selector("#chart-map canvas")
    cards = page.locator("#kpis .kpi")
    assert "13" in cards.nth(0).inner_text() and "42" in cards.nth(0).inner_text()
    shot(page, "07-dashboard")
    with page.expect_navigation():
        cards.nth(1).click()  # cross-unit delegations → the trips behind the number
    assert "is_cross_unit=true" in page.url
    assert page.locator("table tbody tr").count() == 2
    shot(page, "08-dashboard-drilldown")
