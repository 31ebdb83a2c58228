import Testing

@Test func TokenizerTestsPlaceholder() { #expect(1 + 1 == 2) }
