/**
 * The JSON REST API and its RFC 9457 problem responses.
 */
@NullMarked
package com.example.ledger.web;

import org.jspecify.annotations.NullMarked;
