"""blueprint: business processes as code — lint, draw, test and run them."""

__version__ = "0.1.0"
