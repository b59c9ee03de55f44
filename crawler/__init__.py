"""Scrapy project module for fetching reports (built with the crawler issue; fetch-only, never parses)."""
