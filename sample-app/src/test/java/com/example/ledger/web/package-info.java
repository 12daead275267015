/**
 * Tests of how failures become problem responses.
 */
@NullMarked
package com.example.ledger.web;

import org.jspecify.annotations.NullMarked;
