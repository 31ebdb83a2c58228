import Testing

@Test func TokenDataTestsPlaceholder() { #expect(1 + 1 == 2) }
