import io
from decimal import Decimal

import lxml.html
import pytest
from django.core.management import call_command
from django.urls import reverse
from docx import Document

from waishi.core.models import Notification
from waishi.travel.tests import factories as f


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ("budget-form", "因公临时出国任务和预算审批意见表"),
        ("notice", "因公临时出国（境）公示"),
        ("approval", "的批复"),
    ],
)
def test_documents_print_and_download(client, world, document, expected):
    trip = f.make_trip(world, state="approved")
    client.force_login(f.clerk(world))
    page = client.get(reverse("travel:trip_document", args=[trip.pk, document, "print"]))
    assert page.status_code == 200 and expected in page.content.decode()
    docx = client.get(reverse("travel:trip_document", args=[trip.pk, document, "docx"]))
    word = Document(io.BytesIO(docx.content))
    text = "\n".join(
        [p.text for p in word.paragraphs] + [c.text for t in word.tables for r in t.rows for c in r.cells]
    )
    assert expected in text and trip.applicant_unit.name in text


def test_the_budget_form_writes_amounts_with_thousands_separators(client, world):
    """The A4 form and its .docx are finance documents: 28,500.00, the standard likewise, "—" where none."""
    budget = [{"kind": "international_travel", "currency": "CNY", "amount": Decimal("28500")}]
    trip = f.make_trip(world, budget=budget)
    client.force_login(f.clerk(world))
    url = reverse("travel:trip_document", args=[trip.pk, "budget-form", "print"])
    page = lxml.html.fromstring(client.get(url).content.decode())
    printed = [[" ".join(td.text_content().split()) for td in tr.xpath("td")] for tr in page.xpath("//tr")]
    docx = client.get(reverse("travel:trip_document", args=[trip.pk, "budget-form", "docx"]))
    word = Document(io.BytesIO(docx.content))
    written = [[cell.text for cell in row.cells] for table in word.tables for row in table.rows]
    # Tokyo, 5 days (4 nights), 2 people at 20000, 10000 and 5000 JPY a night or a day.
    for rows in (printed, written):
        assert ["国际旅费", "CNY", "28,500.00", "—", ""] in rows
        assert ["住宿费", "JPY", "—", "160,000.00", ""] in rows
        assert ["伙食费", "JPY", "—", "100,000.00", ""] in rows
        assert ["公杂费", "JPY", "—", "50,000.00", ""] in rows


def test_the_notice_names_the_members_and_the_period(client, world):
    trip = f.make_trip(world)
    client.force_login(f.clerk(world))
    page = client.get(reverse("travel:trip_document", args=[trip.pk, "notice", "print"])).content.decode()
    for member in trip.members.select_related("person"):
        assert member.person.name in page
    assert f"{trip.notice_from.year}年{trip.notice_from.month}月{trip.notice_from.day}日" in page


def test_no_approval_document_before_approval(client, world):
    trip = f.make_trip(world)
    client.force_login(f.clerk(world))
    assert client.get(reverse("travel:trip_document", args=[trip.pk, "approval", "print"])).status_code == 404


def test_remind_sends_each_user_his_due_items(world, capsys):
    trip = f.make_trip(world, state="returned_home")
    clerk = f.clerk(world)
    clerk.email = "clerk@example.org"
    clerk.save()
    call_command("remind", "--dry-run", "--days", "400")
    out = capsys.readouterr().out
    assert clerk.username in out and "dry run" in out
    assert not Notification.objects.exists()
    call_command("remind", "--days", "400")
    note = Notification.objects.get(recipient=clerk)
    assert trip.mission[:10] in note.body


def test_remind_only_sends_the_digest(world, capsys):
    """QUALITY.md Reliability 5: what is due is worked out from the records whenever it is asked; the daily
    command writes nothing but the notifications of its digest."""
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from waishi.core.navigation import work_queue

    f.make_trip(world, state="returned_home")
    clerk = f.clerk(world)
    due_before = [(item.title, item.due, item.overdue) for item in work_queue(clerk).items]
    assert due_before  # the report is due without any command having run
    with CaptureQueriesContext(connection) as queries:
        call_command("remind", "--days", "400")
    written = {
        match.group(1)
        for query in queries
        if (
            match := re.match(r'\s*(?:INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)', query["sql"], re.IGNORECASE)
        )
    }
    assert written == {Notification._meta.db_table}
    assert [(item.title, item.due, item.overdue) for item in work_queue(clerk).items] == due_before
