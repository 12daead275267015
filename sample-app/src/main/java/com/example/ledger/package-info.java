/**
 * A bank ledger service built on the managed-connection starter.
 */
@NullMarked
package com.example.ledger;

import org.jspecify.annotations.NullMarked;
