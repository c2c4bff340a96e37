from newsdesk.cli import run

run()
