"""End-to-end journeys through the real pages in Chromium (Playwright)."""
