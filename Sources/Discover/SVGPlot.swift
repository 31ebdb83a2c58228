import Foundation

/// A minimal line chart rendered as inline SVG (no scripts, no external resources).
struct SVGPlot {
    struct Series {
        var name: String
        var color: String
        /// (x, y) in data units, x ascending.
        var points: [(Double, Double)]
        /// Optional shaded band (x, low, high).
        var band: [(Double, Double, Double)] = []
        var width: Double = 2
        var opacity: Double = 1
        var inLegend = true
        /// Draw as a step function (hold each value until the next x), as a best-so-far curve is.
        var stepped = true
    }

    /// (x0,y0),(x1,y1),… → (x0,y0),(x1,y0),(x1,y1),…
    static func steps(_ pts: [(Double, Double)]) -> [(Double, Double)] {
        var out: [(Double, Double)] = []
        for (i, p) in pts.enumerated() {
            if i > 0 { out.append((p.0, pts[i - 1].1)) }
            out.append(p)
        }
        return out
    }

    var title: String
    var xLabel: String
    var yLabel: String
    var series: [Series]
    var reference: (label: String, value: Double)?
    var width = 640.0, height = 360.0
    let left = 64.0, right = 16.0, top = 32.0, bottom = 48.0

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"]

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// About five round tick values covering [lo, hi].
    static func ticks(_ lo: Double, _ hi: Double) -> [Double] {
        let span = max(hi - lo, 1e-12)
        let raw = span / 5
        let mag = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? raw
        var out: [Double] = []
        var t = ceil(lo / step) * step
        while t <= hi + step * 1e-9 {
            out.append(abs(t) < step * 1e-9 ? 0 : t)
            t += step
        }
        return out
    }

    func render() -> String {
        let xs = series.flatMap { $0.points.map(\.0) + $0.band.map(\.0) }
        var ys = series.flatMap { $0.points.map(\.1) + $0.band.flatMap { [$0.1, $0.2] } }
        if let r = reference { ys.append(r.value) }
        let xMin = 0.0, xMax = max(xs.max() ?? 1, 1e-9)
        var yMin = ys.min() ?? 0, yMax = ys.max() ?? 1
        if yMax - yMin < 1e-9 { yMin -= 0.5; yMax += 0.5 }
        let pad = (yMax - yMin) * 0.05
        yMin -= pad
        yMax += pad
        let pw = width - left - right, ph = height - top - bottom
        func px(_ x: Double) -> Double { left + (x - xMin) / (xMax - xMin) * pw }
        func py(_ y: Double) -> Double { top + (1 - (y - yMin) / (yMax - yMin)) * ph }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        func label(_ v: Double) -> String { String(format: abs(v) >= 1000 ? "%.0f" : "%.3g", v) }

        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
            + "viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"sans-serif\" font-size=\"11\">\n"
        svg += "<rect x=\"0\" y=\"0\" width=\"\(Int(width))\" height=\"\(Int(height))\" fill=\"white\"/>\n"
        svg += "<text x=\"\(f(width / 2))\" y=\"18\" text-anchor=\"middle\" font-size=\"13\">\(Self.escape(title))</text>\n"
        for t in Self.ticks(xMin, xMax) {
            svg += "<line x1=\"\(f(px(t)))\" y1=\"\(f(top))\" x2=\"\(f(px(t)))\" y2=\"\(f(top + ph))\" stroke=\"#eee\"/>"
            svg += "<text x=\"\(f(px(t)))\" y=\"\(f(top + ph + 14))\" text-anchor=\"middle\">\(label(t))</text>\n"
        }
        for t in Self.ticks(yMin, yMax) {
            svg += "<line x1=\"\(f(left))\" y1=\"\(f(py(t)))\" x2=\"\(f(left + pw))\" y2=\"\(f(py(t)))\" stroke=\"#eee\"/>"
            svg += "<text x=\"\(f(left - 6))\" y=\"\(f(py(t) + 4))\" text-anchor=\"end\">\(label(t))</text>\n"
        }
        svg += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(pw))\" height=\"\(f(ph))\" fill=\"none\" stroke=\"#444\"/>\n"
        svg += "<text x=\"\(f(left + pw / 2))\" y=\"\(f(height - 10))\" text-anchor=\"middle\">\(Self.escape(xLabel))</text>\n"
        svg += "<text transform=\"translate(14,\(f(top + ph / 2))) rotate(-90)\" text-anchor=\"middle\">\(Self.escape(yLabel))</text>\n"
        if let r = reference {
            svg += "<line x1=\"\(f(left))\" y1=\"\(f(py(r.value)))\" x2=\"\(f(left + pw))\" y2=\"\(f(py(r.value)))\" "
                + "stroke=\"#555\" stroke-dasharray=\"6 4\"/>"
            svg += "<text x=\"\(f(left + pw - 4))\" y=\"\(f(py(r.value) - 4))\" text-anchor=\"end\" fill=\"#555\">"
                + "\(Self.escape(r.label)) \(label(r.value))</text>\n"
        }
        for s in series where s.band.count > 1 {
            let hi = s.stepped ? Self.steps(s.band.map { ($0.0, $0.2) }) : s.band.map { ($0.0, $0.2) }
            let lo = s.stepped ? Self.steps(s.band.map { ($0.0, $0.1) }) : s.band.map { ($0.0, $0.1) }
            let upper = hi.map { "\(f(px($0.0))),\(f(py($0.1)))" }
            let lower = lo.reversed().map { "\(f(px($0.0))),\(f(py($0.1)))" }
            svg += "<polygon points=\"\((upper + lower).joined(separator: " "))\" fill=\"\(s.color)\" fill-opacity=\"0.15\" stroke=\"none\"/>\n"
        }
        for s in series where !s.points.isEmpty {
            let pts = (s.stepped ? Self.steps(s.points) : s.points).map { "\(f(px($0.0))),\(f(py($0.1)))" }
                .joined(separator: " ")
            svg += "<polyline points=\"\(pts)\" fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"\(s.width)\" "
                + "stroke-opacity=\"\(s.opacity)\" stroke-linejoin=\"round\"/>\n"
        }
        var ly = top + 14
        for s in series where s.inLegend {
            svg += "<line x1=\"\(f(left + 10))\" y1=\"\(f(ly - 4))\" x2=\"\(f(left + 30))\" y2=\"\(f(ly - 4))\" "
                + "stroke=\"\(s.color)\" stroke-width=\"3\"/>"
            svg += "<text x=\"\(f(left + 36))\" y=\"\(f(ly))\">\(Self.escape(s.name))</text>\n"
            ly += 15
        }
        svg += "</svg>"
        return svg
    }
}
