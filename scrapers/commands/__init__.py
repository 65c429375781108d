"""Project commands (COMMANDS_MODULE): ``crawl`` is replaced so that its exit code tells how the run went."""
