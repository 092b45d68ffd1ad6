extension Finding {
    /// The id without its leading `kind/`: what the finding is about.
    var subject: String {
        let prefix = kind.rawValue + "/"
        return id.hasPrefix(prefix) ? String(id.dropFirst(prefix.count)) : id
    }
}
