"""/docs and /redoc load only what the API itself serves (bundled Swagger UI and ReDoc), so they work offline."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

BASE = "http://testserver"


def page_assets(html: str, page: str) -> list[str]:
    """Every URL the page's tags load (scripts, stylesheets, icons, images, frames), made absolute."""
    soup = BeautifulSoup(html, "html.parser")
    urls = [tag.get("src") for tag in soup.find_all(["script", "img", "iframe"]) if tag.get("src")]
    urls += [tag.get("href") for tag in soup.find_all("link") if tag.get("href")]
    return [urljoin(page, str(u)) for u in urls]


@pytest.mark.parametrize(
    ("path", "needs"), [("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc.standalone.js")]
)
def test_docs_pages_load_only_same_origin_assets(api_client: TestClient, path: str, needs: str) -> None:
    r = api_client.get(path)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assets = page_assets(r.text, BASE + path)
    assert any(u.endswith(needs) for u in assets), assets
    assert "googleapis" not in r.text and "cdn." not in r.text
    for url in assets:
        assert urlsplit(url).netloc == "testserver", f"{path} loads {url} from another host"
        asset = api_client.get(url)
        assert asset.status_code == 200 and len(asset.content) > 1000, url


def test_bundled_scripts_are_served_as_javascript(api_client: TestClient) -> None:
    for name in ("swagger-ui-bundle.js", "redoc.standalone.js"):
        r = api_client.get(f"/docs-assets/{name}")
        assert r.status_code == 200 and "javascript" in r.headers["content-type"]
    assert api_client.get("/openapi.json").json()["info"]["title"] == "帮扶通 API"
