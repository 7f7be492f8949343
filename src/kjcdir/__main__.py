from kjcdir.cli import main

main()
