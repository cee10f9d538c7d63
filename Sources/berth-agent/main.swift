import BerthAgent

await BerthAgentMain.main()
