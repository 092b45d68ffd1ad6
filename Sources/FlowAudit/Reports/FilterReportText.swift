/// How the reports state a run's filter.
extension FlowFilter {
    /// The `settings.filters` object of the JSON report, or `null` when no filter was given.
    static func write(_ filter: FlowFilter?, into writer: inout JSONWriter) {
        guard let filter else {
            writer.null()
            return
        }
        writer.beginObject()
        writer.field("from", filter.from.map { CivilTime.iso8601(milliseconds: $0) })
        writer.field("to", filter.to.map { CivilTime.iso8601(milliseconds: $0) })
        writer.field("fromArgument", filter.fromText)
        writer.field("toArgument", filter.toText)
        writer.field("newestLog", filter.newestLog.map { CivilTime.iso8601(milliseconds: $0) })
        writer.field("hosts", filter.hosts.map(\.description))
        writer.key("ports")
        writer.beginArray()
        for port in filter.ports { writer.value(Int(port)) }
        writer.endArray()
        writer.endObject()
    }

    /// One line for people: `from 2026-07-20T09:00:00.000Z (2h before the newest log) to …; hosts 10.0.1.6/32`.
    public var summary: String {
        var parts: [String] = []
        func bound(_ time: Int64?, _ text: String?) -> String {
            guard let time else { return "" }
            let iso = CivilTime.iso8601(milliseconds: time)
            guard let text, TimeBoundText.isRelative(text) else { return iso }
            return "\(iso) (\(text) before the newest log)"
        }
        if from != nil || to != nil {
            var window = ""
            if from != nil { window += "from " + bound(from, fromText) }
            if to != nil { window += (window.isEmpty ? "" : " ") + "to " + bound(to, toText) + " (exclusive)" }
            parts.append(window)
        }
        if !hosts.isEmpty { parts.append("hosts " + hosts.map(\.description).joined(separator: ", ")) }
        if !ports.isEmpty { parts.append("ports " + ports.map(String.init).joined(separator: ", ")) }
        return parts.joined(separator: "; ")
    }
}

/// Tells relative bounds (`24h`) from instants in the texts a filter keeps.
enum TimeBoundText {
    static func isRelative(_ text: String) -> Bool {
        if case .beforeNewestLog? = try? TimeBound(parsing: text) { return true }
        return false
    }
}
