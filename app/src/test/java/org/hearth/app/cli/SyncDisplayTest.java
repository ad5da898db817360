package org.hearth.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SyncDisplayTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode sync(String hosts) throws Exception {
        return JSON.readTree("{\"groupId\":\"00\",\"caughtUp\":false,\"hosts\":[" + hosts + "]}");
    }

    private static String host(String state, long stored, Double fraction, Long remaining, long perSecond) {
        return "{\"host\":\"abcdefghijklmnop\",\"state\":\"" + state + "\",\"stored\":" + stored + ",\"fraction\":"
                + fraction + ",\"remaining\":" + remaining + ",\"perSecond\":" + perSecond + ",\"problem\":\"\"}";
    }

    @Test
    void bar_halfWay_showsFilledHalfPercentCountsRateAndEta() throws Exception {
        SyncDisplay d = new SyncDisplay(SyncDisplay.Mode.BAR, new PrintWriter(new StringWriter()), 120);
        String line = d.bar(SyncDisplay.Summary.of(sync(host("syncing", 50_000, 0.5, 50_000L, 5_000))),
                Duration.ofSeconds(10));
        assertThat(line).isEqualTo("[###############...............]  50%  50,000 stored  ~50,000 left  5,000/s"
                + "  ETA 0:10  0:10");
    }

    @Test
    void bar_hostWithoutPosition_countsWithoutBar() throws Exception {
        SyncDisplay d = new SyncDisplay(SyncDisplay.Mode.BAR, new PrintWriter(new StringWriter()), 120);
        String line = d.bar(SyncDisplay.Summary.of(sync(host("syncing", 1234, null, null, 0))), Duration.ofSeconds(3));
        assertThat(line).isEqualTo("catching up  1,234 stored  0:03");
    }

    @Test
    void bar_narrowTerminal_cutToTheWidth() throws Exception {
        SyncDisplay d = new SyncDisplay(SyncDisplay.Mode.BAR, new PrintWriter(new StringWriter()), 40);
        String line = d.bar(SyncDisplay.Summary.of(sync(host("syncing", 50_000, 0.5, 50_000L, 5_000))),
                Duration.ofSeconds(10));
        assertThat(line).hasSize(39).startsWith("[###############");
    }

    @Test
    void summary_twoHosts_slowestFractionLargestRemainderSummedCountsAndTrouble() throws Exception {
        SyncDisplay.Summary s = SyncDisplay.Summary.of(sync(host("syncing", 100, 0.8, 25L, 10) + ","
                + host("unreachable", 40, 0.2, 160L, 0).replace("\"problem\":\"\"", "\"problem\":\"timed out\"")));
        assertThat(s.stored()).isEqualTo(140);
        assertThat(s.fraction()).isEqualTo(0.2);
        assertThat(s.remaining()).isEqualTo(160);
        assertThat(s.perSecond()).isEqualTo(10);
        assertThat(s.trouble()).isEqualTo("host abcdefgh… unreachable: timed out");
    }

    @Test
    void update_barMode_redrawsInPlaceAndPadsOverALongerLine() throws Exception {
        StringWriter out = new StringWriter();
        SyncDisplay d = new SyncDisplay(SyncDisplay.Mode.BAR, new PrintWriter(out), 120);
        d.update(sync(host("syncing", 50_000, 0.5, 50_000L, 5_000)), Duration.ofSeconds(10));
        d.finish(sync(host("caught-up", 100_000, 1.0, 0L, 5_000)), Duration.ofSeconds(20));
        String[] draws = out.toString().split("\r");
        assertThat(draws).hasSize(3); // "", the first line, the last one
        assertThat(draws[2]).startsWith("[##############################] 100%  100,000 stored  5,000/s  0:20");
        assertThat(draws[2].stripTrailing()).hasSizeLessThan(draws[1].length());
        assertThat(draws[2]).hasSize(draws[1].length() + System.lineSeparator().length()).endsWith(System.lineSeparator());
    }

    @Test
    void update_linesMode_oneLineEveryFiveSecondsThenTheLast() throws Exception {
        StringWriter out = new StringWriter();
        SyncDisplay d = new SyncDisplay(SyncDisplay.Mode.LINES, new PrintWriter(out), 80);
        for (int s = 0; s <= 12; s++) {
            d.update(sync(host("syncing", s * 100L, s / 20.0, null, 100)), Duration.ofSeconds(s));
        }
        d.finish(sync(host("caught-up", 2000, 1.0, 0L, 100)), Duration.ofSeconds(13));
        assertThat(out.toString().lines().toList()).containsExactly(
                "catch-up: 0%, 0 stored, 100/s, 0:00",
                "catch-up: 25%, 500 stored, 100/s, 0:05",
                "catch-up: 50%, 1,000 stored, 100/s, 0:10",
                "catch-up: 100%, 2,000 stored, 100/s, 0:13");
        assertThat(out.toString()).doesNotContain("\r");
    }

    @Test
    void clock_formats() {
        assertThat(SyncDisplay.clock(Duration.ofSeconds(6))).isEqualTo("0:06");
        assertThat(SyncDisplay.clock(Duration.ofSeconds(754))).isEqualTo("12:34");
        assertThat(SyncDisplay.clock(Duration.ofSeconds(3723))).isEqualTo("1:02:03");
    }
}
