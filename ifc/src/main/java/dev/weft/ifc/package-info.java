/**
 * Inter-fiber calls, wait queues, mutex and semaphore (issue: wakeup/IFC).
 * Not yet built: this module holds only its package until its issue lands.
 */
package dev.weft.ifc;
