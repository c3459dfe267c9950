from padan.cli import main

main()
