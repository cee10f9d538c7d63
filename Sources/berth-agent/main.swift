import BerthAgent

BerthAgentMain.main()
