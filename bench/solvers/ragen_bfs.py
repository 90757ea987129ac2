#!/usr/bin/env python3
"""Plain Python reimplementation of RAGEN's get_shortest_action_path (ragen/env/sokoban/room_utils.py), the
baseline of pipe's solver bench: BFS over whole room states (numpy arrays, deduplicated with marshal.dumps),
moves in the order Up, Down, Left, Right, a push allowed when the cell beyond is neither wall nor box.

Usage: python3 ragen_bfs.py LEVELS.jsonl  — each line {"room_fixed": [[..]], "room_state": [[..]]} with RAGEN codes
(0 wall, 1 floor, 2 target, 3 box on target, 4 box, 5 player). Prints one JSON object: levels, seconds, lengths,
actions (1..4 per level)."""
import json
import marshal
import sys
import time
from collections import deque

import numpy as np

MOVES = [(-1, 0), (1, 0), (0, -1), (0, 1)]


def shortest_action_path(room_fixed, room_state, max_depth=100):
    queue = deque([(np.copy(room_state), [])])
    explored = set()
    rows, cols = room_fixed.shape
    while queue:
        state, path = queue.popleft()
        if len(path) > max_depth:
            return []
        key = marshal.dumps(state.tobytes())
        if key in explored:
            continue
        explored.add(key)
        player = tuple(np.argwhere(state == 5)[0])
        on_target = set(map(tuple, np.argwhere(state == 3)))
        off_target = set(map(tuple, np.argwhere(state == 4)))
        boxes = on_target | off_target
        if not off_target:
            return path
        for action, (dr, dc) in enumerate(MOVES, start=1):
            nxt = (player[0] + dr, player[1] + dc)
            if not (0 <= nxt[0] < rows and 0 <= nxt[1] < cols) or room_fixed[nxt] == 0:
                continue
            new_state = np.copy(state)
            if nxt in boxes:
                beyond = (nxt[0] + dr, nxt[1] + dc)
                if not (0 <= beyond[0] < rows and 0 <= beyond[1] < cols):
                    continue
                if room_fixed[beyond] == 0 or beyond in boxes:
                    continue
                new_state[nxt] = room_fixed[nxt]
                new_state[beyond] = 3 if room_fixed[beyond] == 2 else 4
            new_state[player] = room_fixed[player]
            new_state[nxt] = 5
            queue.append((new_state, path + [action]))
    return []


def main():
    levels = []
    with open(sys.argv[1]) as f:
        for line in f:
            if line.strip():
                obj = json.loads(line)
                levels.append((np.array(obj["room_fixed"]), np.array(obj["room_state"])))
    t0 = time.perf_counter()
    actions = [shortest_action_path(fixed, state) for fixed, state in levels]
    seconds = time.perf_counter() - t0
    print(json.dumps({"levels": len(levels), "seconds": seconds, "lengths": [len(a) for a in actions], "actions": actions}))


if __name__ == "__main__":
    main()
