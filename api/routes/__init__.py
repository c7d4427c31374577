"""Thin routers: parse input, call one core service, render the result."""
