import Foundation

extension BenchReport {
    /// A self-contained HTML page: for each environment, the summary table, best-so-far against samples
    /// (mean over seeds with a min–max band, per method) and against wall time (one thin line per run).
    public static func html(_ results: BenchResults) -> String {
        let s = results.suite
        let e = SVGPlot.escape
        var html = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Benchmark: \(e(s.name))</title>\n"
            + "<style>body{font-family:sans-serif;max-width:1400px;margin:2em auto;padding:0 1em;color:#222}"
            + "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}"
            + "th{background:#f4f4f4}td:first-child{text-align:left}.plots{display:flex;flex-wrap:wrap;gap:1em}</style>"
            + "</head><body>\n<h1>Benchmark: \(e(s.name))</h1>\n"
        if let d = s.description { html += "<p>\(e(d))</p>\n" }
        html += "<p>Budget: \(s.budget.steps) steps × \(s.budget.groups) groups × \(s.budget.groupSize) samples = "
            + "\(s.budget.samples) samples per run; seeds \(s.seeds.map(String.init).joined(separator: ", ")).</p>\n"
        let all = rows(results)
        for env in s.envs {
            let envRows = all.filter { $0.env == env.id }
            guard !envRows.isEmpty else { continue }
            html += "<h2>\(e(env.id))</h2>\n<table><tr><th>method</th><th>runs</th><th>final best (mean ± std)</th>"
                + "<th>min – max</th>" + (env.thresholds ?? []).map { "<th>samples to ≥ \($0)</th>" }.joined()
                + "<th>wall s</th><th>wins vs baseline</th></tr>\n"
            for r in envRows {
                html += "<tr><td>\(e(r.method))</td><td>\(r.runs)</td><td>\(fmt(r.finalBestMean)) ± \(fmt(r.finalBestStd))</td>"
                    + "<td>\(fmt(r.finalBestMin)) – \(fmt(r.finalBestMax))</td>"
                    + r.toThreshold.map { "<td>\($0.meanSamples.map { String(format: "%.0f", $0) } ?? "–") (\($0.reached)/\(r.runs))</td>" }.joined()
                    + "<td>\(String(format: "%.3g", r.wallSecondsMean))</td>"
                    + "<td>\(r.winsVsBaseline.map { "\($0)/\(r.comparedSeeds ?? 0)" } ?? "–")</td></tr>\n"
            }
            html += "</table>\n<div class=\"plots\">\n"
            let reference = results.references[env.id].map { (label: "reference", value: $0) }
            var bySamples: [SVGPlot.Series] = []
            var byTime: [SVGPlot.Series] = []
            for (mi, method) in s.methods.enumerated() {
                let color = SVGPlot.palette[mi % SVGPlot.palette.count]
                let recs = results.records(env: env.id, method: method.name)
                guard !recs.isEmpty else { continue }
                let steps = recs.map(\.curve.count).max() ?? 0
                var mean: [(Double, Double)] = [], band: [(Double, Double, Double)] = []
                for i in 0..<steps {
                    let pts = recs.compactMap { $0.curve.count > i ? $0.curve[i] : nil }
                    let ys = pts.compactMap(\.best)
                    guard let x = pts.first?.samples, let sp = Spread(ys) else { continue }
                    mean.append((Double(x), sp.mean))
                    band.append((Double(x), sp.min, sp.max))
                }
                bySamples.append(.init(name: "\(method.name) (mean, min–max over \(recs.count) seeds)", color: color,
                                       points: mean, band: band))
                for (ri, r) in recs.enumerated() {
                    byTime.append(.init(name: method.name, color: color,
                                        points: r.curve.compactMap { p in p.best.map { (p.seconds, $0) } },
                                        width: 1.2, opacity: 0.7, inLegend: ri == 0))
                }
            }
            html += SVGPlot(title: "\(env.id): best so far vs samples", xLabel: "samples drawn",
                            yLabel: "best reward so far", series: bySamples, reference: reference).render() + "\n"
            html += SVGPlot(title: "\(env.id): best so far vs wall time", xLabel: "wall time (s)",
                            yLabel: "best reward so far", series: byTime, reference: reference).render() + "\n"
            html += "</div>\n"
        }
        html += "</body></html>\n"
        return html
    }
}
