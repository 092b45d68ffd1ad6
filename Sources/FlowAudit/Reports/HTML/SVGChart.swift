/// Scales, ticks and labels shared by the HTML report's charts.
enum ChartScale {
    /// Ticks from 0 to at least `maximum`, about `count` steps of 1, 2 or 5 times a power of ten.
    static func ticks(upTo maximum: Double, count: Int = 4) -> [Double] {
        guard maximum > 0 else { return [0, 1] }
        let step = niceStep(maximum / Double(count))
        var ticks: [Double] = [0]
        while ticks.last! < maximum { ticks.append(ticks.last! + step) }
        return ticks
    }

    /// The smallest of 1, 2 or 5 times a power of ten at or above `raw`.
    private static func niceStep(_ raw: Double) -> Double {
        var magnitude = 1.0
        while magnitude * 10 <= raw { magnitude *= 10 }
        while magnitude > raw { magnitude /= 10 }
        for multiplier in [1.0, 2.0, 5.0, 10.0] where magnitude * multiplier >= raw { return magnitude * multiplier }
        return magnitude * 10
    }

    /// The binary unit that shows `maximum` bytes as a number from 1 to 1,023.
    static func byteUnit(for maximum: UInt64) -> (name: String, size: Double) {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
        var size = 1.0
        var index = 0
        while Double(maximum) >= size * 1024 && index < units.count - 1 {
            size *= 1024
            index += 1
        }
        return (units[index], size)
    }

    /// A tick value as text: whole numbers with thousands separators, else one decimal.
    static func number(_ value: Double) -> String {
        if value == value.rounded() { return ReportText.grouped(Int64(value)) }
        let tenths = Int64((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }

    /// Time ticks between `start` and `end`, at a step that gives at most `count` of them.
    static func timeTicks(from start: Int64, to end: Int64, count: Int = 8) -> [Int64] {
        let minute: Int64 = 60_000
        let steps: [Int64] = [5, 10, 15, 30, 60, 120, 180, 360, 720, 1_440, 2_880, 10_080, 20_160, 40_320, 80_640]
            .map { $0 * minute }
        let span = max(end - start, 1)
        let step = steps.first { span / $0 < Int64(count) } ?? steps.last!
        var tick = TimeSeries<PerSourceTotals>.floorDivide(start + step - 1, step) * step
        var ticks: [Int64] = []
        while tick <= end {
            ticks.append(tick)
            tick += step
        }
        return ticks
    }

    /// `09:15`, or `07-20 09:15` when the labels span several days, or `2026-07-20` for midnight ticks of a
    /// long span.
    static func timeLabel(_ time: Int64, spansDays: Bool) -> String {
        let text = CivilTime.iso8601(milliseconds: time)
        let clock = String(text.dropFirst(11).prefix(5))
        guard spansDays else { return clock }
        return clock == "00:00" ? String(text.prefix(10)) : String(text.dropFirst(5).prefix(5)) + " " + clock
    }

    /// `2026-07-20 09:15` for tooltips.
    static func timeText(_ time: Int64) -> String {
        let text = CivilTime.iso8601(milliseconds: time)
        return String(text.prefix(10)) + " " + String(text.dropFirst(11).prefix(5))
    }

    /// `5 minutes`, `1 hour`, `2 days`: a bucket size in words.
    static func duration(_ milliseconds: Int64) -> String {
        if milliseconds % 86_400_000 == 0 { return FindingText.count(Int(milliseconds / 86_400_000), "day") }
        if milliseconds % 3_600_000 == 0 { return FindingText.count(Int(milliseconds / 3_600_000), "hour") }
        return FindingText.count(Int(milliseconds / 60_000), "minute")
    }

    /// A coordinate with at most one decimal.
    static func coordinate(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return tenths % 10 == 0
            ? String(tenths / 10) : (tenths < 0 && tenths > -10 ? "-" : "") + "\(tenths / 10).\(abs(tenths % 10))"
    }
}

/// A legend entry: a swatch of a class (with a glyph or a line style) and its words.
struct LegendItem {
    enum Swatch {
        /// A filled square of a CSS class, with an optional glyph on it.
        case box(String, glyph: String)
        /// A line of a CSS class, with a marker shape (`circle`, `square` or none).
        case line(String, marker: String?)
    }

    var swatch: Swatch
    var label: String
}

/// Draws legends, axes and charts as inline SVG into an ``HTMLBuilder``. Colours come from CSS classes
/// (the Okabe–Ito palette, light and dark), every series also has a shape, a line style or a glyph, and
/// every chart has its axes, their units and a legend.
enum SVGChart {
    /// The width a legend of `items` takes.
    static func legendWidth(_ items: [LegendItem]) -> Double {
        items.reduce(0) { total, item in
            let swatch: Double
            switch item.swatch {
            case .box: swatch = 16
            case .line: swatch = 26
            }
            return total + swatch + Double(item.label.count) * 6.4 + 18
        }
    }

    /// A legend as one row of items, starting at (`x`, `y`).
    static func legend(_ items: [LegendItem], x: Double, y: Double, into html: inout HTMLBuilder) {
        var position = x
        html.open("g", [("class", "legend")])
        for item in items {
            switch item.swatch {
            case .box(let className, let glyph):
                html.empty(
                    "rect",
                    [
                        ("class", className), ("x", ChartScale.coordinate(position)),
                        ("y", ChartScale.coordinate(y - 10)),
                        ("width", "12"), ("height", "12"),
                    ])
                if !glyph.isEmpty {
                    html.element(
                        "text",
                        [
                            ("class", "glyph"), ("x", ChartScale.coordinate(position + 6)),
                            ("y", ChartScale.coordinate(y - 0.5)),
                        ], text: glyph)
                }
                position += 16
            case .line(let className, let marker):
                html.empty(
                    "line",
                    [
                        ("class", className), ("x1", ChartScale.coordinate(position)),
                        ("x2", ChartScale.coordinate(position + 22)), ("y1", ChartScale.coordinate(y - 4)),
                        ("y2", ChartScale.coordinate(y - 4)),
                    ])
                if let marker { Self.marker(marker, className: className, x: position + 11, y: y - 4, into: &html) }
                position += 26
            }
            html.element(
                "text", [("x", ChartScale.coordinate(position)), ("y", ChartScale.coordinate(y))], text: item.label)
            position += Double(item.label.count) * 6.4 + 18
        }
        html.raw("</g>")
    }

    /// A marker shape at (`x`, `y`).
    static func marker(_ shape: String, className: String, x: Double, y: Double, into html: inout HTMLBuilder) {
        if shape == "square" {
            html.empty(
                "rect",
                [
                    ("class", className + " marker"), ("x", ChartScale.coordinate(x - 3)),
                    ("y", ChartScale.coordinate(y - 3)),
                    ("width", "6"), ("height", "6"),
                ])
        } else {
            html.empty(
                "circle",
                [
                    ("class", className + " marker"), ("cx", ChartScale.coordinate(x)),
                    ("cy", ChartScale.coordinate(y)),
                    ("r", "3"),
                ])
        }
    }

    /// Opens an `<svg>` of the given size, labelled for screen readers.
    static func open(width: Double, height: Double, label: String, className: String, into html: inout HTMLBuilder) {
        html.open(
            "svg",
            [
                ("class", "chart " + className),
                ("viewBox", "0 0 \(ChartScale.coordinate(width)) \(ChartScale.coordinate(height))"),
                ("width", ChartScale.coordinate(width)), ("height", ChartScale.coordinate(height)), ("role", "img"),
                ("aria-label", label),
            ])
        html.element("title", text: label)
    }

    /// A horizontal value axis with ticks and gridlines over a plot from `left` to `right`, `top` to `bottom`.
    static func valueAxis(
        ticks: [Double], scale: (Double) -> Double, labels: (Double) -> String, left: Double, right: Double,
        top: Double, bottom: Double, title: String, into html: inout HTMLBuilder
    ) {
        html.open("g", [("class", "axis")])
        for tick in ticks {
            let x = scale(tick)
            html.empty(
                "line",
                [
                    ("class", "grid"), ("x1", ChartScale.coordinate(x)), ("x2", ChartScale.coordinate(x)),
                    ("y1", ChartScale.coordinate(top)), ("y2", ChartScale.coordinate(bottom)),
                ])
            html.element(
                "text",
                [
                    ("x", ChartScale.coordinate(x)), ("y", ChartScale.coordinate(bottom + 14)),
                    ("text-anchor", "middle"),
                ],
                text: labels(tick))
        }
        html.empty(
            "line",
            [
                ("x1", ChartScale.coordinate(left)), ("x2", ChartScale.coordinate(right)),
                ("y1", ChartScale.coordinate(bottom)), ("y2", ChartScale.coordinate(bottom)),
            ])
        html.element(
            "text",
            [
                ("class", "axis-title"), ("x", ChartScale.coordinate((left + right) / 2)),
                ("y", ChartScale.coordinate(bottom + 30)), ("text-anchor", "middle"),
            ], text: title)
        html.raw("</g>")
    }
}

/// A finding's timeline: connections started per bucket as bars (left axis), bytes out and in per bucket as
/// a solid line with circles and a dashed line with squares (right axis), over the report's window.
struct TimelineChart {
    let timeline: FindingTimeline
    /// The report's window (first and last flow).
    let window: (first: Int64, last: Int64)
    let label: String

    static let width = 760.0
    static let height = 236.0

    func render(into html: inout HTMLBuilder) {
        let size = timeline.bucketMilliseconds
        let start =
            TimeSeries<PerSourceTotals>.floorDivide(
                min(window.first, timeline.buckets.first?.start ?? window.first), size) * size
        let lastStart =
            TimeSeries<PerSourceTotals>.floorDivide(max(window.last, timeline.buckets.last?.start ?? window.last), size)
            * size
        let end = lastStart + size
        let (left, right, top, bottom) = (62.0, Self.width - 74, 34.0, Self.height - 46)
        func x(_ time: Int64) -> Double { left + Double(time - start) / Double(end - start) * (right - left) }
        let maxConnections = Double(timeline.buckets.map(\.connections).max() ?? 0)
        let maxBytes = timeline.buckets.map { max($0.bytesOut, $0.bytesIn) }.max() ?? 0
        let connectionTicks = ChartScale.ticks(upTo: max(maxConnections, 1))
        let connectionTop = connectionTicks.last!
        func yConnections(_ value: Double) -> Double { bottom - value / connectionTop * (bottom - top) }
        let unit = ChartScale.byteUnit(for: maxBytes)
        let byteTicks = ChartScale.ticks(upTo: max(Double(maxBytes) / unit.size, 1))
        let byteTop = byteTicks.last! * unit.size
        func yBytes(_ value: UInt64) -> Double { bottom - Double(value) / byteTop * (bottom - top) }

        SVGChart.open(width: Self.width, height: Self.height, label: label, className: "timeline", into: &html)
        var legend = [
            LegendItem(swatch: .box("bar-connections", glyph: ""), label: "connections started (left axis)")
        ]
        if maxBytes > 0 {
            legend += [
                LegendItem(swatch: .line("line-out", marker: "circle"), label: "bytes out"),
                LegendItem(swatch: .line("line-in", marker: "square"), label: "bytes in (right axis, \(unit.name))"),
            ]
        } else {
            legend.append(
                LegendItem(swatch: .line("line-none", marker: nil), label: "no bytes (denied or none logged)"))
        }
        SVGChart.legend(legend, x: left, y: 16, into: &html)
        // Left axis: connections.
        html.open("g", [("class", "axis")])
        for tick in connectionTicks {
            let y = yConnections(tick)
            html.empty(
                "line",
                [
                    ("class", "grid"), ("x1", ChartScale.coordinate(left)), ("x2", ChartScale.coordinate(right)),
                    ("y1", ChartScale.coordinate(y)), ("y2", ChartScale.coordinate(y)),
                ])
            html.element(
                "text",
                [("x", ChartScale.coordinate(left - 6)), ("y", ChartScale.coordinate(y + 4)), ("text-anchor", "end")],
                text: ChartScale.number(tick))
        }
        html.element(
            "text",
            [
                ("class", "axis-title"),
                ("transform", "translate(14 \(ChartScale.coordinate((top + bottom) / 2))) rotate(-90)"),
                ("text-anchor", "middle"),
            ], text: "connections")
        if maxBytes > 0 {
            for tick in byteTicks {
                let y = yBytes(UInt64(tick * unit.size))
                html.element(
                    "text",
                    [
                        ("x", ChartScale.coordinate(right + 6)), ("y", ChartScale.coordinate(y + 4)),
                        ("text-anchor", "start"),
                    ],
                    text: ChartScale.number(tick))
            }
            html.element(
                "text",
                [
                    ("class", "axis-title"),
                    (
                        "transform",
                        "translate(\(ChartScale.coordinate(Self.width - 12)) \(ChartScale.coordinate((top + bottom) / 2))) rotate(90)"
                    ),
                    ("text-anchor", "middle"),
                ], text: "bytes (\(unit.name))")
        }
        // Time axis.
        let ticks = ChartScale.timeTicks(from: start, to: end)
        let spansDays = (end - start) > 86_400_000 || FlowHours.hour(of: start) / 24 != FlowHours.hour(of: end - 1) / 24
        for tick in ticks {
            html.empty(
                "line",
                [
                    ("x1", ChartScale.coordinate(x(tick))), ("x2", ChartScale.coordinate(x(tick))),
                    ("y1", ChartScale.coordinate(bottom)), ("y2", ChartScale.coordinate(bottom + 4)),
                ])
            html.element(
                "text",
                [
                    ("x", ChartScale.coordinate(x(tick))), ("y", ChartScale.coordinate(bottom + 16)),
                    ("text-anchor", "middle"),
                ],
                text: ChartScale.timeLabel(tick, spansDays: spansDays))
        }
        html.empty(
            "line",
            [
                ("x1", ChartScale.coordinate(left)), ("x2", ChartScale.coordinate(right)),
                ("y1", ChartScale.coordinate(bottom)),
                ("y2", ChartScale.coordinate(bottom)),
            ])
        html.element(
            "text",
            [
                ("class", "axis-title"), ("x", ChartScale.coordinate((left + right) / 2)),
                ("y", ChartScale.coordinate(bottom + 34)), ("text-anchor", "middle"),
            ], text: "time (UTC), buckets of \(ChartScale.duration(size))")
        html.raw("</g>")
        // Bars, one per bucket with connections, each with its numbers as a tooltip.
        let barWidth = max((right - left) * Double(size) / Double(end - start) - 1, 1)
        html.open("g", [("class", "bar-connections")])
        for bucket in timeline.buckets {
            let tooltip =
                "\(ChartScale.timeText(bucket.start)) UTC: \(ReportText.grouped(bucket.connections)) started, "
                + "\(byteText(bucket.bytesOut)) out, \(byteText(bucket.bytesIn)) in"
            let y = yConnections(Double(bucket.connections))
            html.element(
                "rect",
                [
                    ("x", ChartScale.coordinate(x(bucket.start) + 0.5)),
                    ("y", ChartScale.coordinate(y)), ("width", ChartScale.coordinate(barWidth)),
                    ("height", ChartScale.coordinate(bottom - y)), ("data-connections", String(bucket.connections)),
                ]
            ) { html in html.element("title", text: tooltip) }
        }
        html.raw("</g>")
        guard maxBytes > 0 else {
            html.raw("</svg>")
            return
        }
        // Bytes: every bucket of the window, empty ones at zero.
        var byStart: [Int64: TimelineBucket] = [:]
        for bucket in timeline.buckets { byStart[bucket.start] = bucket }
        var pointsOut: [String] = []
        var pointsIn: [String] = []
        var markers: [(Double, UInt64, UInt64)] = []
        var time = start
        while time < end {
            let bucket = byStart[time]
            let center = x(time) + (right - left) * Double(size) / Double(end - start) / 2
            pointsOut.append("\(ChartScale.coordinate(center)),\(ChartScale.coordinate(yBytes(bucket?.bytesOut ?? 0)))")
            pointsIn.append("\(ChartScale.coordinate(center)),\(ChartScale.coordinate(yBytes(bucket?.bytesIn ?? 0)))")
            if let bucket, bucket.bytesOut > 0 || bucket.bytesIn > 0 {
                markers.append((center, bucket.bytesOut, bucket.bytesIn))
            }
            time += size
        }
        html.empty("polyline", [("class", "line-in"), ("points", pointsIn.joined(separator: " "))])
        html.empty("polyline", [("class", "line-out"), ("points", pointsOut.joined(separator: " "))])
        if markers.count <= 72 {
            for (center, out, inbound) in markers {
                if inbound > 0 {
                    SVGChart.marker("square", className: "line-in", x: center, y: yBytes(inbound), into: &html)
                }
                if out > 0 { SVGChart.marker("circle", className: "line-out", x: center, y: yBytes(out), into: &html) }
            }
        }
        html.raw("</svg>")
    }
}

/// Horizontal bars in groups, with a value axis (bytes or counts) and a legend.
struct BarChart {
    struct Bar {
        var label: String
        /// A second column of text (a region, a priority), or "".
        var detail: String
        var value: UInt64
        var className: String
        /// Words written after the bar, in place of or beside the value (`no hits`).
        var marker: String?
        var tooltip: String
        var attributes: [(String, String)] = []
    }

    struct Group {
        var title: String?
        var bars: [Bar]
    }

    var groups: [Group]
    /// Whether values are bytes (binary units) rather than counts.
    var isBytes: Bool
    var axisTitle: String
    var detailTitle: String
    var legend: [LegendItem]
    var label: String

    func render(into html: inout HTMLBuilder) {
        let rowHeight = 20.0
        let (labelWidth, detailWidth) = (250.0, 110.0)
        let left = labelWidth + detailWidth
        let right = 760.0 - 110
        let top = 42.0
        let rows = groups.reduce(0) { $0 + $1.bars.count + ($1.title == nil ? 0 : 1) }
        let bottom = top + Double(rows) * rowHeight + 4
        let height = bottom + 44
        let maximum = groups.flatMap(\.bars).map(\.value).max() ?? 0
        let unit = isBytes ? ChartScale.byteUnit(for: maximum) : (name: "", size: 1.0)
        let ticks = ChartScale.ticks(upTo: max(Double(maximum) / unit.size, 1), count: 5)
        let topValue = ticks.last! * unit.size
        func x(_ value: Double) -> Double { left + value / topValue * (right - left) }
        SVGChart.open(width: 760, height: height, label: label, className: "bars", into: &html)
        SVGChart.legend(legend, x: 4, y: 16, into: &html)
        SVGChart.valueAxis(
            ticks: ticks, scale: { x($0 * unit.size) }, labels: ChartScale.number, left: left, right: right, top: top,
            bottom: bottom, title: isBytes ? "\(axisTitle) (\(unit.name))" : axisTitle, into: &html)
        html.element(
            "text",
            [
                ("class", "column-title"), ("x", ChartScale.coordinate(labelWidth)),
                ("y", ChartScale.coordinate(top - 4)),
            ],
            text: detailTitle)
        var y = top
        for group in groups {
            if let title = group.title {
                html.element(
                    "text", [("class", "group-title"), ("x", "4"), ("y", ChartScale.coordinate(y + 14))], text: title)
                y += rowHeight
            }
            for bar in group.bars {
                html.open("g", [("class", "bar-row")] + bar.attributes)
                html.element("title", text: bar.tooltip)
                html.element(
                    "text", [("x", "4"), ("y", ChartScale.coordinate(y + 14))],
                    text: ReportText.middleCut(bar.label, length: 38))
                html.element(
                    "text", [("x", ChartScale.coordinate(labelWidth)), ("y", ChartScale.coordinate(y + 14))],
                    text: bar.detail)
                // A flagged bar without a value is drawn as an outline, so that it shows.
                let end = bar.value == 0 && bar.marker != nil ? left + 24 : x(Double(bar.value))
                html.empty(
                    "rect",
                    [
                        ("class", bar.className), ("x", ChartScale.coordinate(left)),
                        ("y", ChartScale.coordinate(y + 3)),
                        ("width", ChartScale.coordinate(max(end - left, bar.value > 0 ? 1 : 0))),
                        ("height", ChartScale.coordinate(rowHeight - 6)),
                    ])
                let value = isBytes ? byteText(bar.value) : ReportText.grouped(bar.value)
                let text = bar.marker.map { "\($0) (\(value))" } ?? value
                html.element(
                    "text",
                    [
                        ("class", bar.marker == nil ? "value" : "value flagged"), ("x", ChartScale.coordinate(end + 4)),
                        ("y", ChartScale.coordinate(y + 14)),
                    ], text: text)
                html.raw("</g>")
                y += rowHeight
            }
        }
        html.raw("</svg>")
    }
}

/// A grid of categorical cells: rows (requirements, log sources, nodes) by columns (hours, destinations).
/// Every state has a colour class and a glyph, so that no state is told by colour alone.
struct HeatMap {
    struct State {
        var className: String
        var glyph: String
        var label: String
    }

    struct Row {
        var label: String
        /// Words after the label (a status).
        var badge: String
        var attributes: [(String, String)] = []
    }

    struct Cell {
        /// An index into ``states``.
        var state: Int
        var tooltip: String
        var attributes: [(String, String)] = []
    }

    var rows: [Row]
    /// Column labels; `nil` leaves a column unlabelled.
    var columns: [String?]
    /// Whether column labels are names (rotated) rather than times.
    var namedColumns: Bool
    var cells: [[Cell?]]
    var states: [State]
    var axisTitle: String
    var label: String
    var className: String

    func render(into html: inout HTMLBuilder) {
        let labelWidth = 300.0
        let cellWidth = namedColumns ? 30.0 : max(min(440.0 / Double(max(columns.count, 1)), 44), 14)
        let cellHeight = 18.0
        let longest = Double(columns.map { min($0?.count ?? 0, 28) }.max() ?? 0)
        let header = namedColumns ? longest * 6.4 * 0.82 + 16 : 10.0
        let top = header
        let bottom = top + Double(rows.count) * cellHeight
        let right = labelWidth + Double(columns.count) * cellWidth
        let legend = states.map { LegendItem(swatch: .box($0.className, glyph: $0.glyph), label: $0.label) }
        let width = max(right + (namedColumns ? 120 : 30), SVGChart.legendWidth(legend) + 10, 520)
        let height = bottom + 66
        SVGChart.open(width: width, height: height, label: label, className: "heatmap " + className, into: &html)
        // Column labels.
        html.open("g", [("class", "axis")])
        for (index, column) in columns.enumerated() {
            guard let column else { continue }
            let center = labelWidth + (Double(index) + 0.5) * cellWidth
            if namedColumns {
                html.element(
                    "text",
                    [
                        (
                            "transform",
                            "translate(\(ChartScale.coordinate(center + 4)) \(ChartScale.coordinate(top - 4))) rotate(-55)"
                        )
                    ],
                    text: ReportText.middleCut(column, length: 28))
            } else {
                html.empty(
                    "line",
                    [
                        ("x1", ChartScale.coordinate(center - cellWidth / 2)),
                        ("x2", ChartScale.coordinate(center - cellWidth / 2)),
                        ("y1", ChartScale.coordinate(bottom)), ("y2", ChartScale.coordinate(bottom + 4)),
                    ])
                html.element(
                    "text",
                    [
                        ("x", ChartScale.coordinate(center - cellWidth / 2)), ("y", ChartScale.coordinate(bottom + 16)),
                        ("text-anchor", "middle"),
                    ], text: column)
            }
        }
        html.element(
            "text",
            [
                ("class", "axis-title"), ("x", ChartScale.coordinate(labelWidth + (right - labelWidth) / 2)),
                ("y", ChartScale.coordinate(bottom + (namedColumns ? 18 : 32))), ("text-anchor", "middle"),
            ], text: axisTitle)
        html.raw("</g>")
        // Rows.
        for (rowIndex, row) in rows.enumerated() {
            let y = top + Double(rowIndex) * cellHeight
            html.open("g", [("class", "heat-row")] + row.attributes)
            html.element(
                "text", [("x", "4"), ("y", ChartScale.coordinate(y + 13))],
                text: ReportText.middleCut(row.label, length: row.badge.isEmpty ? 46 : 34))
            if !row.badge.isEmpty {
                html.element(
                    "text",
                    [
                        ("class", "badge-text"), ("x", ChartScale.coordinate(labelWidth - 6)),
                        ("y", ChartScale.coordinate(y + 13)),
                        ("text-anchor", "end"),
                    ], text: row.badge)
            }
            for (columnIndex, cell) in cells[rowIndex].enumerated() {
                guard let cell else { continue }
                let state = states[cell.state]
                let x = labelWidth + Double(columnIndex) * cellWidth
                html.element(
                    "rect",
                    [
                        ("class", state.className + " cell"), ("x", ChartScale.coordinate(x + 1)),
                        ("y", ChartScale.coordinate(y + 1)), ("width", ChartScale.coordinate(cellWidth - 2)),
                        ("height", ChartScale.coordinate(cellHeight - 2)),
                    ] + cell.attributes
                ) { html in html.element("title", text: cell.tooltip) }
                if !state.glyph.isEmpty {
                    html.element(
                        "text",
                        [
                            ("class", "glyph"), ("x", ChartScale.coordinate(x + cellWidth / 2)),
                            ("y", ChartScale.coordinate(y + 13)),
                        ],
                        text: state.glyph)
                }
            }
            html.raw("</g>")
        }
        SVGChart.legend(legend, x: 4, y: height - 8, into: &html)
        html.raw("</svg>")
    }
}
