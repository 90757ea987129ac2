/**
 * The paper-style diversity pool (docs/paper.md §4): 220 everyday English words — animals, nature, colours, objects,
 * food, verbs and abstract nouns — none of which is a direction or a test-split word.
 */
export const WORD_POOL: readonly string[] = [
  // animals
  'cat', 'dog', 'horse', 'tiger', 'lion', 'zebra', 'otter', 'eagle', 'shark', 'whale', 'mouse', 'fish', 'goat',
  'sheep', 'camel', 'panda', 'koala', 'rabbit', 'turtle', 'snake', 'frog', 'owl', 'crow', 'bee', 'ant', 'wolf',
  'fox', 'bear', 'deer', 'moose', 'seal', 'duck', 'goose', 'swan', 'parrot', 'lizard', 'spider', 'crab', 'squid',
  'llama',
  // nature
  'tree', 'river', 'ocean', 'mountain', 'valley', 'forest', 'desert', 'island', 'cloud', 'storm', 'thunder', 'rain',
  'snow', 'wind', 'stone', 'sand', 'leaf', 'flower', 'grass', 'moon', 'sun', 'star', 'comet', 'planet', 'meadow',
  'canyon', 'glacier', 'lake', 'pond', 'reef',
  // colours
  'red', 'blue', 'green', 'yellow', 'purple', 'orange', 'pink', 'brown', 'black', 'white', 'gray', 'teal',
  'violet', 'indigo', 'amber', 'jade', 'crimson', 'scarlet', 'ivory', 'olive', 'maroon', 'navy', 'silver', 'gold',
  // objects
  'chair', 'table', 'lamp', 'clock', 'book', 'pencil', 'bottle', 'cup', 'plate', 'spoon', 'fork', 'knife',
  'window', 'door', 'key', 'lock', 'bag', 'hat', 'shoe', 'sock', 'coat', 'ring', 'bell', 'drum', 'guitar',
  'piano', 'camera', 'phone', 'ladder', 'rope', 'anchor', 'candle', 'mirror', 'pillow', 'basket', 'bucket',
  'hammer', 'wrench', 'kite', 'wagon',
  // food
  'apple', 'banana', 'cherry', 'grape', 'lemon', 'mango', 'peach', 'pear', 'plum', 'melon', 'bread', 'cheese',
  'butter', 'honey', 'rice', 'pasta', 'pizza', 'soup', 'salad', 'cookie', 'cake', 'pie', 'candy', 'tea',
  'coffee', 'milk', 'juice', 'pepper', 'salt', 'onion',
  // verbs
  'run', 'jump', 'swim', 'fly', 'sing', 'dance', 'read', 'write', 'cook', 'paint', 'build', 'climb', 'throw',
  'catch', 'listen', 'whisper', 'laugh', 'smile', 'sleep', 'dream', 'fix', 'open', 'close', 'carry', 'bake',
  'knit', 'sail', 'skate', 'hike', 'wander',
  // abstract nouns
  'freedom', 'justice', 'courage', 'wisdom', 'honor', 'peace', 'hope', 'joy', 'trust', 'truth', 'beauty',
  'chaos', 'order', 'balance', 'harmony', 'memory', 'silence', 'mercy', 'glory', 'fortune', 'logic', 'spirit',
  'patience', 'kindness', 'humor', 'pride',
];
