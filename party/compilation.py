"""The annual policy compilation (制度汇编): the documents in force by category, with a table of
contents, as a Word document (HTML, which Word opens and saves as .docx) or an Excel workbook."""

import io
from itertools import groupby

from django.http import HttpResponse
from django.utils.html import escape, format_html, format_html_join
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.hyperlink import Hyperlink

from bureau.excel import safe
from party.choices import PolicyState

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def in_force(policies):
    return policies.filter(state=PolicyState.CURRENT)


def document(policies, year):
    title = f"{year} 年度制度汇编"
    items = list(in_force(policies))
    toc, body = [], []
    n = 0
    for category, group in groupby(items, key=lambda p: p.category):
        toc.append(format_html("<h3>{}</h3>", category))
        body.append(format_html('<h1 style="page-break-before:always">{}</h1>', category))
        for policy in group:
            n += 1
            toc.append(format_html('<p><a href="#p{}">{}. {}（{}）</a></p>', n, n, policy.title, policy.number))
            paragraphs = format_html_join(
                "", "<p>{}</p>", ((line,) for line in policy.text.splitlines() if line.strip())
            )
            body.append(
                format_html(
                    '<h2 id="p{}">{}</h2><p style="text-align:center">{}　{}　{}</p>{}',
                    n,
                    policy.title,
                    policy.issuer,
                    policy.number,
                    f"{policy.issued_on.year}年{policy.issued_on.month}月{policy.issued_on.day}日",
                    paragraphs,
                )
            )
    html = (
        '<html><head><meta charset="utf-8"><title>' + escape(title) + "</title></head><body>"
        f"<h1>{escape(title)}</h1><h2>目录</h2>" + "".join(toc) + "".join(body) + "</body></html>"
    )
    response = HttpResponse(html, content_type="application/msword; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, f"{title}.doc")
    return response


def workbook(policies, year):
    title = f"{year} 年度制度汇编"
    book = Workbook()
    contents = book.active
    contents.title = "目录"
    texts = book.create_sheet("全文")
    contents.append([title])
    contents["A1"].font = Font(bold=True, size=14)
    contents.append(["序号", "类别", "文号", "标题", "发文机关", "印发日期"])
    texts.append(["序号", "文号", "标题", "发文机关", "印发日期", "全文"])
    for cell in (*contents[2], *texts[1]):
        cell.font = Font(bold=True)
    for n, policy in enumerate(in_force(policies), start=1):
        values = [policy.number, policy.title, policy.issuer, policy.issued_on]
        contents.append([n, safe(policy.category), *map(safe, values)])
        texts.append([n, *map(safe, values), safe(policy.text)])
        link = contents.cell(contents.max_row, 4)
        link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'全文'!A{texts.max_row}")  # opens its text
        link.font = Font(color="1F5FA8", underline="single")
        texts.cell(texts.max_row, 6).alignment = Alignment(wrap_text=True, vertical="top")
    texts.column_dimensions["F"].width = 100
    contents.column_dimensions["D"].width = 50
    handle = io.BytesIO()
    book.save(handle)
    response = HttpResponse(handle.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, f"{title}.xlsx")
    return response
