import Testing

@Test func SDFTTestsPlaceholder() { #expect(1 + 1 == 2) }
