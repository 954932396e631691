/**
 * Edge-triggered epoll poller and non-blocking sockets (issue: io-poller).
 * Not yet built: this module holds only its package until its issue lands.
 */
package dev.weft.io;
