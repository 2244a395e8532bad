from blueprint_cli.cli.main import entry

entry()
