package io.pollster.live.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.catalina.util.ServerInfo;
import org.apache.coyote.http11.upgrade.UpgradeServletOutputStream;
import org.junit.jupiter.api.Test;

class TomcatSocketsTest {

    @Test
    void theTomcatOnTheClasspathStillHoldsTheUpgradedSocketWhereWeReachIt() {
        assertThat(TomcatSockets.socketField(UpgradeServletOutputStream.class, TomcatSockets.FIELD))
                .isNotNull();
        TomcatSockets.verify();
    }

    @Test
    void aTomcatWithoutTheFieldFailsLoudlyNamingItsVersion() {
        assertThatThrownBy(() -> TomcatSockets.socketField(UpgradeServletOutputStream.class, "noSuchField"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Tomcat " + ServerInfo.getServerNumber())
                .hasMessageContaining("UpgradeServletOutputStream.noSuchField");
    }

    /** Stands for a Tomcat whose field kept its name but not its type. */
    @SuppressWarnings("unused")
    private static final class Reshaped {
        private Object socketWrapper;
    }

    @Test
    void aFieldOfAnotherTypeFailsLoudlyToo() {
        assertThatThrownBy(() -> TomcatSockets.socketField(Reshaped.class, TomcatSockets.FIELD))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Tomcat " + ServerInfo.getServerNumber())
                .hasMessageContaining("is a java.lang.Object");
    }
}
