from blueprint_cli.cli.entry import main

main()
