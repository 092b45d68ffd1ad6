import FlowAuditCommandLine

await FlowAuditCommand.main()
