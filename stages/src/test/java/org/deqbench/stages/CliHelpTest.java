package org.deqbench.stages;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The help of every command reads in one style at 100 columns. */
class CliHelpTest {
    private static final int COLUMNS = 100;

    private static List<CommandLine> allCommands(CommandLine c) {
        List<CommandLine> out = new ArrayList<>(List.of(c));
        for (CommandLine sub : c.getSubcommands().values()) {
            out.addAll(allCommands(sub));
        }
        return out;
    }

    private static CommandLine cli() {
        return new CommandLine(new DeqbenchCli()).setUsageHelpWidth(Cli.HELP_WIDTH);
    }

    @Test
    void everySubcommandSummaryIsOneFullSentenceThatFitsTheListing() {
        for (CommandLine c : allCommands(cli())) {
            if (c.getParent() == null) {
                continue;
            }
            String[] header = c.getCommandSpec().usageMessage().header();
            String name = c.getCommandSpec().qualifiedName();
            assertTrue(header.length == 1, name + ": one summary line, found " + List.of(header));
            String summary = header[0];
            assertTrue(summary.endsWith("."), name + ": summary is a full sentence ending with a period: " + summary);
            assertTrue(Character.isUpperCase(summary.charAt(0)), name + ": summary starts with a capital: " + summary);
            // "  <name padded to the longest sibling>  <summary>" must fit the terminal.
            int width = 2 + c.getParent().getSubcommands().keySet().stream().mapToInt(String::length).max().orElse(0)
                    + 2 + summary.length();
            assertTrue(width <= COLUMNS, name + ": summary line is " + width + " columns: " + summary);
        }
    }

    @Test
    void everyHelpPageFitsOneHundredColumnsAndListsWholeSummaries() {
        assertTrue(Cli.HELP_WIDTH <= COLUMNS, "help width " + Cli.HELP_WIDTH);
        for (CommandLine c : allCommands(cli())) {
            String usage = c.getUsageMessage(CommandLine.Help.Ansi.OFF);
            for (String line : usage.split("\n")) {
                assertTrue(line.length() <= COLUMNS, c.getCommandSpec().qualifiedName() + ": line of " + line.length()
                        + " columns: " + line);
            }
            for (CommandLine sub : c.getSubcommands().values()) {
                String summary = sub.getCommandSpec().usageMessage().header()[0];
                assertTrue(usage.contains(summary), c.getCommandSpec().qualifiedName() + " lists " + sub.getCommandName()
                        + " with its whole summary on one line: " + summary + "\n" + usage);
            }
            assertFalse(usage.contains("\t"), "no tabs");
        }
    }
}
