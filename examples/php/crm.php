<?php
/*
 * A CRM-style consumer of chapterhouse through PHP's FFI: routes members to
 * their chapter by coordinates, checks a permission with its explanation,
 * and prints a chapter's health, all on the sample data in examples/data/.
 *
 *   php examples/php/crm.php [path/to/libchapterhouse.so]
 *
 * The library path defaults to $CHAPTERHOUSE_LIB, then target/debug.
 */
declare(strict_types=1);

require __DIR__ . '/chapterhouse.php';

$root = dirname(__DIR__, 2);
$lib = $argv[1] ?? getenv('CHAPTERHOUSE_LIB') ?: "$root/target/debug/libchapterhouse.so";
$data = "$root/examples/data";
$now = '2026-11-01T00:00:00Z';

$ch = Chapterhouse::open($lib, "$root/include/chapterhouse.h");
echo "chapterhouse {$ch->version()}\n";

$net = $ch->network(file_get_contents("$data/network.json"));
echo "network: {$net->len()} nodes\n\n";

// 1. Which chapter for this member's coordinates?
$places = json_decode(file_get_contents("$data/places.json"), true, 512, JSON_THROW_ON_ERROR);
foreach ($places as $place) {
    if (!in_array($place['name'], ['Harvard Square, Cambridge', 'Chicago Loop'], true)) {
        continue;
    }
    $here = $net->lookup($place['lon'], $place['lat']);
    printf("member at %s (%s, %s): ", $place['name'], $place['lon'], $place['lat']);
    if ($here) {
        $chapter = $net->node($here[0]);
        echo "{$here[0]} ({$chapter['name']})";
        if (count($here) > 1) {
            echo ', also inside ' . implode(', ', array_slice($here, 1));
        }
        echo "\n";
    } else {
        [$id, $metres] = $net->nearest($place['lon'], $place['lat'], 1)[0];
        printf("no chapter here; nearest is %s, %.1f km away\n", $id, $metres / 1000);
    }
}

// 2. May this person do this, here, and why (not)?
echo "\n";
foreach ([['p-0009', 'members.export', 'ch-boston'], ['p-0081', 'members.view', 'ch-queens']] as [$who, $what, $where]) {
    [$allowed, $why] = $net->check($who, $what, $where, $now);
    printf("may %s use %s at %s? %s\n  %s\n", $who, $what, $where, $allowed ? 'yes' : 'no', $why);
}
try {
    $net->check('p-0009', 'members.teleport', 'ch-boston', $now);
} catch (ChapterhouseError $e) {
    echo "  an unknown capability is an error: {$e->getMessage()}\n";
}

// 3. A chapter's health, from the activity log and the group facts.
$report = $ch->healthFromCsv(file_get_contents("$data/activity.csv"),
    file_get_contents("$data/groups.json"), $now);
foreach ($report['groups'] as $g) {
    if ($g['group'] === 'ch-boston') {
        printf("\nhealth of ch-boston: %.1f, %s\n  %s\n  what to do: %s\n",
            floor($g['score'] * 10) / 10, $g['status'], $g['status_reason'], $g['intervention_text']);
    }
}
printf("(%d groups scored)\n", count($report['groups']));
