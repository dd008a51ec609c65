package io.closedloop.identity.graph;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdentifierAndDomainsTest {

    @Test
    void emailIsTrimmedAndLowerCased() {
        assertEquals("email:ada@acme.com", Identifier.of("email", "  Ada@ACME.com ").key());
    }

    @Test
    void phoneKeepsDigitsWithALeadingPlus() {
        assertEquals("+4420712345", Identifier.of("phone", "+44 (20) 712-345").value());
        // As ingestion stores them (an erasure names what ingestion holds): no '+' added, Segment ids not trimmed.
        assertEquals("030123456", Identifier.of("phone", "030 123 456").value());
        assertEquals(" a1", Identifier.of("anonymous_id", " a1").value());
        assertEquals("c-1", Identifier.of("contact_id", " c-1 ").value());
    }

    @Test
    void unknownTypeAndEmptyValueAreRejectedNamingTheField() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Identifier.of("fax", "1")).getMessage().startsWith("identifier.type"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Identifier.of("user_id", "  ")).getMessage().startsWith("identifier.value"));
        assertThrows(IllegalArgumentException.class, () -> Identifier.of("email", "not-an-email"));
    }

    @Test
    void registeredDomainStripsWwwAndSubdomains() {
        assertEquals("acme.com", Domains.registeredDomain("www.acme.com"));
        assertEquals("acme.com", Domains.registeredDomain("mail.eu.ACME.com"));
        assertEquals("acme.com", Domains.registeredDomain("acme.com"));
    }

    @Test
    void registeredDomainKeepsThreeLabelsUnderMultiPartSuffixes() {
        assertEquals("acme.co.uk", Domains.registeredDomain("sales.acme.co.uk"));
        assertEquals("acme.com.au", Domains.registeredDomain("www.acme.com.au"));
        assertEquals("acme.co.jp", Domains.registeredDomain("acme.co.jp"));
    }

    @Test
    void freeMailAndDisposableDomainsAreNotCorporate() {
        assertTrue(Domains.isFreeMail("gmail.com"));
        assertTrue(Domains.isFreeMail("yahoo.co.uk"));
        assertTrue(Domains.isFreeMail("hotmail.fr"));
        assertTrue(Domains.isFreeMail("mailinator.com"));
        assertFalse(Domains.isFreeMail("acme.com"));
        assertNull(Domains.corporateDomain(Identifier.of("email", "bob@googlemail.com")));
        assertEquals("acme.co.uk", Domains.corporateDomain(Identifier.of("email", "ada@uk.acme.co.uk")));
        assertNull(Domains.corporateDomain(Identifier.of("user_id", "u1")));
    }
}
