import Foundation

// Row softmax. Legend: N rows, V columns.

/// y: [N,V], x: [N,V]. Max-subtracted for stability.
public func softmaxForward(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, N: Int, V: Int) {
    Parallel.forRanges(N, grain: 8) { rows in
        for n in rows {
            let xr = x + n * V, yr = y + n * V
            let s = expShiftedSum(xr, yr, V, shift: rowMax(xr, V))
            let inv = 1 / s
            for j in 0..<V { yr[j] *= inv }
        }
    }
}

/// dx = y ⊙ (dy − Σ_j dy_j y_j).  dx, dy, y: [N,V].
public func softmaxBackward(_ dx: UnsafeMutablePointer<Float>, dy: UnsafePointer<Float>, y: UnsafePointer<Float>,
                            N: Int, V: Int) {
    Parallel.forRanges(N, grain: 8) { rows in
        for n in rows {
            let d = dy + n * V, yr = y + n * V, o = dx + n * V
            var dot: Float = 0
            for j in 0..<V { dot += d[j] * yr[j] }
            for j in 0..<V { o[j] = yr[j] * (d[j] - dot) }
        }
    }
}

/// Naive twin of `softmaxForward` in Double.
public func softmaxForwardNaive(_ x: [Double], N: Int, V: Int) -> [Double] {
    var y = x
    for n in 0..<N {
        let row = x[n * V ..< (n + 1) * V]
        let m = row.max()!
        let e = row.map { Foundation.exp($0 - m) }
        let z = e.reduce(0, +)
        for j in 0..<V { y[n * V + j] = e[j] / z }
    }
    return y
}
