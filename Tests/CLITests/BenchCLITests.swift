import Foundation
import Testing

/// `discover bench generate` on the tiny config: the table, then one JSON object on the last line whose
/// figures echo the flags given — in particular `--threads`, which a parent `bench` option once swallowed.
@Test func benchGenerateHonoursItsFlagsAndEndsWithOneJSONLine() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let config = root.appendingPathComponent("configs/model_mhc_tiny.json").path
    let result = try DiscoverBinary.run(["bench", "generate", "--model", config, "--threads", "1", "--batch", "2",
                                         "--prompt-len", "4", "--new-tokens", "3", "--repeats", "1"])
    #expect(result.status == 0, "\(result.stderr)")
    let lines = result.stdout.split(separator: "\n")
    #expect(lines.first?.hasPrefix("| model") == true)
    let json = try JSONSerialization.jsonObject(with: Data(lines.last!.utf8)) as? [String: Any]
    #expect(json?["threads"] as? Int == 1)
    #expect(json?["batch"] as? Int == 2)
    #expect(json?["new_tokens"] as? Int == 3)
    #expect((json?["tokens_per_second"] as? Double ?? 0) > 0)
}
