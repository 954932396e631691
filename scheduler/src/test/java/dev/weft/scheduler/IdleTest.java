package dev.weft.scheduler;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The idle protocol's transitions one at a time (their interleavings: IdleModelTest). */
class IdleTest {
    /** A host that records what the protocol asks of it. */
    private static final class Host implements Idle.Host {
        final List<Integer> unparked = new ArrayList<>();
        int pollerWakes;
        boolean pending;

        @Override
        public boolean workPending() {
            return pending;
        }

        @Override
        public void unpark(int w) {
            unparked.add(w);
        }

        @Override
        public void wakePoller() {
            pollerWakes++;
        }
    }

    @Test
    void theMostRecentlyIdleWorkerIsClaimedFirstAndHoldsTheSearchToken() {
        Host h = new Host();
        Idle idle = new Idle(3, h);
        for (int w : new int[] {0, 2, 1}) {
            idle.toIdle(w);
        }
        assertTrue(idle.handOff("fiber"));
        assertEquals(List.of(1), h.unparked);
        assertTrue(idle.isClaimed(1));
        assertEquals(1, idle.searching());
        assertFalse(idle.handOff("another"), "while a search token is out, submitters only queue");
        assertFalse(idle.leave(1), "a claimed worker cannot leave: its handoff is coming");
        assertEquals("fiber", idle.takeHandoff(1));
        idle.searchDone(false);
        assertEquals(0, idle.searching());
        idle.workQueued();
        assertEquals(List.of(1, 2), h.unparked, "then the next most recent");
        assertSame(Idle.WAKE, idle.takeHandoff(2));
    }

    @Test
    void staleEntriesAreDiscardedAndTheTokenComesBack() {
        Host h = new Host();
        Idle idle = new Idle(2, h);
        idle.toIdle(0);
        assertTrue(idle.leave(0), "found work itself: a stale entry stays in the stack");
        assertTrue(idle.isNonEmpty());
        assertFalse(idle.handOff("fiber"));
        assertEquals(0, idle.searching(), "a failed claim gives the token back");
        assertFalse(idle.isNonEmpty(), "the pop discarded the stale entry");
        idle.toIdle(0);
        assertTrue(idle.isNonEmpty(), "it registers again after it was popped");
    }

    @Test
    void aClaimOfThePollingWorkerBreaksThePollAndAClaimedWorkerSkipsIt() {
        Host h = new Host();
        Idle idle = new Idle(2, h);
        idle.toIdle(0);
        assertTrue(idle.tryPoll(0));
        idle.toIdle(1);
        assertFalse(idle.tryPoll(1), "one poller at a time");
        idle.leave(1);
        idle.workQueued();
        assertEquals(1, h.pollerWakes, "the poller was claimed: its poll is broken, not unparked");
        assertTrue(h.unparked.isEmpty());
        idle.pollDone();
        assertSame(Idle.WAKE, idle.takeHandoff(0));
        idle.searchDone(true);
        idle.toIdle(1);
        h.pending = true;
        idle.workQueued();
        assertFalse(idle.tryPoll(1), "claimed before it polled: it takes its handoff instead");
    }
}
