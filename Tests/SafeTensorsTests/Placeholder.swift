import Testing

@Test func SafeTensorsTestsPlaceholder() { #expect(1 + 1 == 2) }
