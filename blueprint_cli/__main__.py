from blueprint_cli.cli.main import run

run()
