from drift_diff.cli import main

main()
