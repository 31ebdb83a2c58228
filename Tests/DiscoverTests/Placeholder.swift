import Testing

@Test func DiscoverTestsPlaceholder() { #expect(1 + 1 == 2) }
