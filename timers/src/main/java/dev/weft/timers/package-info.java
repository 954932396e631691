/**
 * Timer fiber, 4-ary heap and timeouts (issue: timers).
 * Not yet built: this module holds only its package until its issue lands.
 */
package dev.weft.timers;
