#!/usr/bin/env python3
"""A plain Python reimplementation of the RAGEN / gym-sokoban room generator (room_topology_generation,
place_boxes_and_player, pull-only reverse-play DFS with the box_swaps x displacement score, add_random_player_movement),
seeded like RAGEN (random.seed + np.random.seed), used by the bench only to compare level statistics with pipe's
TypeScript generator (different RNGs, so compare distributions, not levels).

Usage: python3 ragen_gen.py ROWS COLS BOXES COUNT  — prints JSON {count, meanOptimal, wallDensity, failures}."""
import json
import marshal
import random
import sys

import numpy as np

from ragen_bfs import shortest_action_path

MASKS = [
    [[0, 0, 0], [1, 1, 1], [0, 0, 0]],
    [[0, 1, 0], [0, 1, 0], [0, 1, 0]],
    [[0, 0, 0], [1, 1, 0], [0, 1, 0]],
    [[0, 0, 0], [1, 1, 0], [1, 1, 0]],
    [[0, 0, 0], [0, 1, 1], [0, 1, 0]],
]
CHANGE = [(-1, 0), (1, 0), (0, -1), (0, 1)]


def topology(dim, p_change, num_steps):
    dx, dy = dim
    directions = [(1, 0), (0, 1), (-1, 0), (0, -1)]
    direction = random.sample(directions, 1)[0]
    pos = np.array([random.randint(1, dx - 1), random.randint(1, dy - 1)])
    level = np.zeros(dim, dtype=int)
    for _ in range(num_steps):
        if random.random() < p_change:
            direction = random.sample(directions, 1)[0]
        pos = pos + direction
        pos[0] = max(min(pos[0], dx - 2), 1)
        pos[1] = max(min(pos[1], dy - 2), 1)
        mask = random.sample(MASKS, 1)[0]
        s = pos - 1
        level[s[0]:s[0] + 3, s[1]:s[1] + 3] += mask
    level[level > 0] = 1
    level[:, [0, dy - 1]] = 0
    level[[0, dx - 1], :] = 0
    return level


def place(room, num_boxes):
    free = np.where(room == 1)
    if free[0].shape[0] <= num_boxes + 1:
        raise RuntimeError("not enough free cells")
    i = np.random.randint(free[0].shape[0])
    room[free[0][i], free[1][i]] = 5
    for _ in range(num_boxes):
        free = np.where(room == 1)
        i = np.random.randint(free[0].shape[0])
        room[free[0][i], free[1][i]] = 2
    return room


def reverse_playing(state, structure, depth):
    mapping = {tuple(b): tuple(b) for b in np.argwhere(structure == 2)}
    num_boxes = len(mapping)
    explored = set()
    best = {"score": -1, "state": state.copy(), "mapping": dict(mapping)}

    def displacement(m):
        return sum(abs(k[0] - v[0]) + abs(k[1] - v[1]) for k, v in m.items())

    def reverse_move(st, m, last_pull, a):
        p = np.argwhere(st == 5)[0]
        ch = CHANGE[a]
        nxt = p + ch
        if st[nxt[0], nxt[1]] in (1, 2):
            st[p[0], p[1]] = structure[p[0], p[1]]
            st[nxt[0], nxt[1]] = 5
            bx = (p[0] - ch[0], p[1] - ch[1])
            if st[bx] in (3, 4):
                st[p[0], p[1]] = 3
                st[bx] = structure[bx]
                for k in m:
                    if m[k] == bx:
                        m[k] = (p[0], p[1])
                        last_pull = k
        return st, m, last_pull

    def dfs(st, m, swaps, last_pull, ttl):
        ttl -= 1
        if ttl <= 0 or len(explored) >= 300000:
            return
        key = marshal.dumps(st.tobytes())
        if key in explored:
            return
        score = swaps * displacement(m)
        if np.where(st == 2)[0].shape[0] != num_boxes:
            score = 0
        if score > best["score"]:
            best.update(score=score, state=st.copy(), mapping=dict(m))
        explored.add(key)
        for a in range(4):  # pull actions only
            st2, m2, lp2 = reverse_move(st.copy(), dict(m), last_pull, a)
            dfs(st2, m2, swaps + 1 if lp2 != last_pull else swaps, last_pull, ttl)

    dfs(state, mapping, 0, (-1, -1), depth)
    return best["state"], best["mapping"]


def random_player_movement(state, structure, move_probability):
    if random.random() > move_probability:
        return state
    p = np.argwhere(state == 5)[0]
    visited = [tuple(p)]
    steps = 0
    while steps < 3:
        moves = [p + c for c in CHANGE if state[(p + c)[0], (p + c)[1]] in (1, 2) and tuple(p + c) not in visited]
        if not moves:
            break
        nxt = random.choice(moves)
        state[p[0], p[1]] = structure[p[0], p[1]]
        state[nxt[0], nxt[1]] = 5
        p = nxt
        visited.append(tuple(p))
        steps += 1
        if steps >= 3 or random.random() > 0.5:
            break
    return state


def generate(dim, boxes, seed, depth=30):
    random.seed(seed)
    np.random.seed(seed)
    steps = int(1.7 * (dim[0] + dim[1]))
    for _ in range(4):
        room = place(topology(dim, 0.35, steps), boxes)
        structure = room.copy()
        structure[structure == 5] = 1
        state = room.copy()
        state[state == 2] = 4
        state, mapping = reverse_playing(state, structure, depth)
        state[state == 3] = 4
        score = sum(abs(k[0] - v[0]) + abs(k[1] - v[1]) for k, v in mapping.items())
        if score > 0:
            break
    if score == 0:
        raise RuntimeWarning("score 0")
    state = random_player_movement(state, structure, 0.8 if score == 1 else 0.5)
    # Boxes that never moved are coded 4 even on a target: recode for the solver.
    state = np.where((state == 4) & (structure == 2), 3, state)
    return structure, state


def main():
    rows, cols, boxes, count = map(int, sys.argv[1:5])
    optimal, walls, failures, seed = [], [], 0, 0
    while len(optimal) < count:
        try:
            structure, state = generate((rows, cols), boxes, seed)
            path = shortest_action_path(structure, state, max_depth=30)
            if path:
                optimal.append(len(path))
                walls.append(float((structure == 0).mean()))
            else:
                failures += 1
        except (RuntimeError, RuntimeWarning):
            failures += 1
        seed += 1
    print(json.dumps({"count": count, "meanOptimal": sum(optimal) / count, "wallDensity": sum(walls) / count, "failures": failures}))


if __name__ == "__main__":
    main()
