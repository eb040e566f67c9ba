/// Order statistics of a set of timings, in milliseconds.
///
/// The median of an even count is the mean of the two middle values; p90 is the nearest-rank
/// 90th percentile (the smallest sample with at least 90% of the samples at or below it).
struct Summary: Codable, Sendable {
    /// Number of samples.
    let runs: Int
    let medianMs: Double
    let p90Ms: Double
    let minMs: Double
    let maxMs: Double

    /// Summarizes `samples` (milliseconds; at least one).
    init(milliseconds samples: [Double]) {
        precondition(!samples.isEmpty, "no samples")
        let sorted = samples.sorted()
        let n = sorted.count
        runs = n
        medianMs = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
        let rank = Int((0.9 * Double(n)).rounded(.up))
        p90Ms = sorted[max(0, rank - 1)]
        minMs = sorted[0]
        maxMs = sorted[n - 1]
    }

    /// The median of `samples`.
    static func median(_ samples: [Double]) -> Double { Summary(milliseconds: samples).medianMs }
}
