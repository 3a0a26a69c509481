"""API v3's interactive docs (/api/v3/docs/) in Chromium, under the public site's
Content Security Policy: Swagger UI comes from the site's own static files, renders
every operation of the OpenAPI document and can call the API."""

import json
import urllib.request

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def policy_directives(header):
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_the_api_docs_show_every_operation_with_nothing_refused(site_url, browser):
    with urllib.request.urlopen(site_url + "/api/v3/openapi.json") as answer:
        document = json.load(answer)
    operations = [
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in HTTP_METHODS
    ]
    context = browser.new_context(locale="uk-UA")
    page = context.new_page()
    refused, errors, elsewhere = [], [], []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "request",
        lambda request: (
            elsewhere.append(request.url) if not request.url.startswith(site_url + "/") else None
        ),
    )
    response = page.goto(site_url + "/api/v3/docs/")
    # The public site's strict policy, not the admin's relaxed one.
    directives = policy_directives(response.headers["content-security-policy"])
    assert directives["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in directives["style-src"]

    page.locator(".opblock").first.wait_for()
    shown = [
        (block.locator(".opblock-summary-method").inner_text(), path)
        for block in page.locator(".opblock").all()
        for path in [block.locator(".opblock-summary-path").get_attribute("data-path")]
    ]
    assert sorted(shown) == sorted(operations)

    # Swagger UI calls the API from the page: the policy's connect-src allows it.
    listing = page.locator("#operations-pages-pages_list")
    listing.locator(".opblock-summary").click()
    listing.get_by_role("button", name="Try it out").click()
    listing.get_by_role("button", name="Execute").click()
    status = listing.locator(".live-responses-table .response .response-col_status").first
    status.wait_for()
    assert status.inner_text().strip() == "200"
    assert '"count"' in listing.locator(".live-responses-table .microlight").first.inner_text()
    context.close()

    assert refused == []
    assert errors == []
    assert elsewhere == []
