"""Scenario tests for blueprints (`blueprint test`): the scenario file format
(`model`), reading and linting scenario files (`loader`), running them in
memory through the pure engine (`runner`), coverage (`coverage`), and the
reports: text and JSON (`report`), JUnit XML (`junit`)."""
