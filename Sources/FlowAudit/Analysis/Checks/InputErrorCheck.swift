/// `input-error`: a damaged input file, from what reading it recorded; no state of its own.
struct InputErrorCheck: AuditCheck, CheckAccumulator {
    typealias Check = InputErrorCheck
    typealias Accumulator = InputErrorCheck

    static let partialSection = "input-errors"

    init(settings: AuditSettings) {}
    init(context: AuditContext) {}
    init(from reader: inout PartialReader, settings: AuditSettings) throws(PartialDamage) {}

    @inline(__always) mutating func observe(_ flow: Flow, _ facts: FlowFacts) {}
    func finish(symbols: borrowing SymbolTable, context: AuditContext) -> InputErrorCheck { self }
    mutating func merge(_ other: InputErrorCheck) {}
    func encode(into writer: inout PartialWriter) {}

    func report(into report: inout AnalysisReport, context: ReportContext) {
        for error in context.inputs.errors {
            report.findings.append(
                Finding(kind: .inputError, severity: .medium, id: "input-error/\(error.file)", message: error.message))
        }
    }
}
