import GitOpsCLI

await RootCommand.main()
